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
import type { Role } from "~/auth/vocabulary";
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
        ? await navigationCounts(user, new URL(request.url).pathname)
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

type NavItem = {
  to: string;
  label: string;
  /** Active only on this exact path (a home whose sub-pages have links of their own). */
  end?: boolean;
  /** The badge beside it: which count, read out as what. */
  badge?: { count: keyof Unread; what: string };
};
type Unread = { all: number; consultations: number };

const FIND_A_DOCTOR: NavItem = { to: "/doctors", label: "Find a doctor" };
const NOTIFICATIONS: NavItem = {
  to: "/notifications",
  label: "Notifications",
  badge: { count: "all", what: "unread" },
};
const CASE_NEWS = { count: "consultations", what: "with news" } as const;
const SECURITY: NavItem = { to: "/account/security", label: "Security" };

/** The main navigation of each role, and of a visitor who is not signed in. */
const NAVIGATION: Record<Role | "visitor", NavItem[]> = {
  patient: [
    { to: "/dashboard", label: "My dashboard", end: true },
    { to: "/analyses", label: "My analyses", end: true },
    { to: "/consultations", label: "Consultations", badge: CASE_NEWS },
    FIND_A_DOCTOR,
    NOTIFICATIONS,
    SECURITY,
  ],
  doctor: [
    { to: "/doctor", label: "Doctor dashboard", end: true },
    { to: "/doctor/cases", label: "Cases", badge: CASE_NEWS },
    { to: "/doctor/profile", label: "My profile" },
    NOTIFICATIONS,
    SECURITY,
  ],
  admin: [
    { to: "/admin", label: "Admin", end: true },
    { to: "/admin/models", label: "Model lab" },
    { to: "/admin/statistics", label: "Statistics" },
    SECURITY,
  ],
  researcher: [{ to: "/admin/models", label: "Model lab" }, SECURITY],
  visitor: [
    FIND_A_DOCTOR,
    { to: "/login", label: "Log in" },
    { to: "/register", label: "Register" },
  ],
};

function Navigation() {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  const unread: Unread = data?.unread ?? { all: 0, consultations: 0 };
  return (
    <header className="site-header">
      <Link to="/" className="brand">
        HemaLink
      </Link>
      <nav aria-label="Main">
        <ul>
          {NAVIGATION[user?.role ?? "visitor"].map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.end}>
                {item.label}
                {item.badge && <Count n={unread[item.badge.count]} what={item.badge.what} />}
              </NavLink>
            </li>
          ))}
          {user && (
            <li>
              <Form method="post" action="/logout">
                <button type="submit" className="link-button">
                  Log out
                </button>
              </Form>
            </li>
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
