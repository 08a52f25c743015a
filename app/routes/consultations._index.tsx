import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { StatusBadge } from "~/components/consultation";
import { listOwnConsultations } from "~/consultations/queries.server";
import { unreadByConsultation } from "~/notifications/notifications.server";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "My consultations · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const unread = await unreadByConsultation(user);
    return {
      consultations: (await listOwnConsultations(user)).map((c) => ({
        id: c.id,
        status: c.status,
        revoked: Boolean(c.revokedAt),
        doctorName: c.doctorName,
        requestedAt: c.requestedAt.toISOString(),
        unread: unread.get(c.id) ?? 0,
      })),
    };
  });
}

export default function ConsultationsPage() {
  const { consultations } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>My consultations</h1>
      {consultations.length === 0 ? (
        <p>
          You have not shared a case yet. Open one of <Link to="/analyses">your analyses</Link> and
          choose “Share with a hematologist”.
        </p>
      ) : (
        <ul className="history">
          {consultations.map((c) => (
            <li key={c.id}>
              <Link to={`/consultations/${c.id}`}>
                <span>
                  <strong>{c.doctorName}</strong>{" "}
                  <StatusBadge status={c.status} revoked={c.revoked} />
                  {c.unread > 0 && <span className="nav-count">{c.unread} new</span>}
                  <br />
                  Shared <time dateTime={c.requestedAt}>{c.requestedAt.slice(0, 10)}</time>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
