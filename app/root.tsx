import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  isRouteErrorResponse,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { getOptionalUser, homeFor } from "~/auth/guards.server";
import { navigationCounts } from "~/notifications/notifications.server";
import { useNonce } from "~/security/nonce";
import appStyles from "~/styles/app.css?url";
import { handleLoader } from "~/http/pipeline.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: appStyles },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [
  { title: "HemaLink" },
  {
    name: "description",
    content: "Informational B-ALL smear staging and certified hematologists near you.",
  },
];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await getOptionalUser(request);
    return {
      user: user && { ...user, home: homeFor(user) },
      unread: user
        ? navigationCounts(user, new URL(request.url).pathname)
        : { all: 0, consultations: 0 },
    };
  });
}

/** A navigation badge: the number is read out with its meaning. */
function Count({ n, what }: { n: number; what: string }) {
  if (n === 0) return null;
  return (
    <span className="nav-count">
      {n}
      <span className="visually-hidden"> {what}</span>
    </span>
  );
}

function Navigation() {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  const unread = data?.unread ?? { all: 0, consultations: 0 };
  const notificationsLink = (
    <li>
      <NavLink to="/notifications">
        Notifications
        <Count n={unread.all} what="unread" />
      </NavLink>
    </li>
  );
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        HemaLink
      </Link>
      <nav aria-label="Main">
        <ul>
          {user ? (
            <>
              {user.role === "patient" && (
                <>
                  <li>
                    <NavLink to="/dashboard" end>
                      My dashboard
                    </NavLink>
                  </li>
                  <li>
                    <NavLink to="/analyses" end>
                      My analyses
                    </NavLink>
                  </li>
                  <li>
                    <NavLink to="/consultations">
                      Consultations
                      <Count n={unread.consultations} what="with news" />
                    </NavLink>
                  </li>
                  <li>
                    <NavLink to="/doctors">Find a doctor</NavLink>
                  </li>
                  {notificationsLink}
                </>
              )}
              {user.role === "doctor" && (
                <>
                  <li>
                    <NavLink to="/doctor" end>
                      Doctor dashboard
                    </NavLink>
                  </li>
                  <li>
                    <NavLink to="/doctor/cases">
                      Cases
                      <Count n={unread.consultations} what="with news" />
                    </NavLink>
                  </li>
                  <li>
                    <NavLink to="/doctor/profile">My profile</NavLink>
                  </li>
                  {notificationsLink}
                </>
              )}
              {user.role === "admin" && (
                <li>
                  <NavLink to="/admin">Admin</NavLink>
                </li>
              )}
              <li>
                <Form method="post" action="/logout">
                  <button type="submit" className="link-button">
                    Log out
                  </button>
                </Form>
              </li>
            </>
          ) : (
            <>
              <li>
                <NavLink to="/doctors">Find a doctor</NavLink>
              </li>
              <li>
                <NavLink to="/login">Log in</NavLink>
              </li>
              <li>
                <NavLink to="/register">Register</NavLink>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <Navigation />
        <main id="main">{children}</main>
        <footer className="site-footer">
          <p>
            HemaLink gives preliminary, informational results. It is not a diagnosis: a hematologist
            must confirm.
          </p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) {
    return (
      <section className="panel">
        <h1>Page not found</h1>
        <p>This page does not exist, or you do not have access to it.</p>
        <Link to="/">Go to the home page</Link>
      </section>
    );
  }
  if (isRouteErrorResponse(error) && error.status < 500) {
    const data = error.data as unknown;
    const message =
      typeof data === "string"
        ? data
        : typeof (data as { message?: unknown } | null)?.message === "string"
          ? (data as { message: string }).message
          : "The request could not be completed.";
    return (
      <section className="panel">
        <h1>{error.status === 400 ? "Please check your request" : "Request refused"}</h1>
        <p role="alert">{message}</p>
        <Link to="/">Go to the home page</Link>
      </section>
    );
  }
  return (
    <section className="panel">
      <h1>Something went wrong</h1>
      <p>Sorry, an unexpected error happened on our side. Please try again in a moment.</p>
      <Link to="/">Go to the home page</Link>
    </section>
  );
}
