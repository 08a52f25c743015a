import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import { listNotifications, markAllRead } from "~/notifications/notifications.server";
import { handleAction, handleLoader, step } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Notifications · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireUser(request);
    return {
      notifications: (await listNotifications(user)).map((n) => ({
        id: n.id,
        text: n.text,
        link: n.link,
        unread: n.readAt === null,
        createdAt: n.createdAt.toISOString(),
      })),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "user",
    intents: {
      default: step(async ({ user }) => {
        await markAllRead(user);
        return redirect("/notifications");
      }),
    },
  });
}

export default function NotificationsPage() {
  const { notifications } = useLoaderData<typeof loader>();
  const unread = notifications.filter((n) => n.unread).length;
  return (
    <section className="panel">
      <h1>Notifications</h1>
      {notifications.length === 0 ? (
        <p>Nothing yet. When a doctor or a patient answers you, it appears here.</p>
      ) : (
        <>
          {unread > 0 && (
            <Form method="post">
              <button type="submit" className="secondary">
                Mark all as read
              </button>
            </Form>
          )}
          <ul className="history">
            {notifications.map((n) => (
              <li key={n.id} className={n.unread ? "card unread" : "card"}>
                {n.unread && <span className="badge pending">New</span>}{" "}
                {n.link ? <Link to={n.link}>{n.text}</Link> : n.text}{" "}
                <small>
                  <time dateTime={n.createdAt}>
                    {n.createdAt.slice(0, 16).replace("T", " ")} UTC
                  </time>
                </small>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
