import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { StatusBadge } from "~/components/consultation";
import type { ConsultationStatus } from "~/consultations/vocabulary";
import { listDoctorCases } from "~/consultations/queries.server";
import { unreadByConsultation } from "~/notifications/notifications.server";
import { handleLoader } from "~/http/pipeline.server";
import { getOwnVerification } from "~/doctors/verification.server";
import { isCertified, VERIFICATION_STATUS_LABELS } from "~/doctors/vocabulary";

export const meta: MetaFunction = () => [{ title: "Shared cases · HemaLink" }];

const GROUPS: { title: string; statuses: ConsultationStatus[] }[] = [
  { title: "New requests", statuses: ["requested"] },
  { title: "Accepted — waiting for your answer", statuses: ["accepted"] },
  { title: "Answered", statuses: ["answered"] },
  { title: "Closed or declined", statuses: ["closed", "declined"] },
];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const unread = await unreadByConsultation(user);
    const { status } = await getOwnVerification(user);
    return {
      certified: isCertified(status),
      statusLabel: VERIFICATION_STATUS_LABELS[status],
      cases: (await listDoctorCases(user)).map((c) => ({
        id: c.id,
        status: c.status,
        patientName: c.patientName,
        ageBracket: c.ageBracket,
        excerpt: c.message.length > 140 ? `${c.message.slice(0, 140)}…` : c.message,
        model: c.modelVerdict === "ok" ? CLASS_LABELS[c.modelClass] : "Can't assess",
        requestedAt: c.requestedAt.toISOString(),
        unread: unread.get(c.id) ?? 0,
      })),
    };
  });
}

export default function DoctorCasesPage() {
  const { cases, certified, statusLabel } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Shared cases</h1>
      {!certified && (
        <p role="note" className="notice">
          Your profile is not certified at the moment ({statusLabel.toLowerCase()}): the cases
          shared with you are hidden until it is. See your <Link to="/doctor">dashboard</Link>.
        </p>
      )}
      {certified && cases.length === 0 && <p>No cases have been shared with you yet.</p>}
      {GROUPS.map((group) => {
        const members = cases.filter((c) => group.statuses.includes(c.status));
        if (members.length === 0) return null;
        return (
          <section key={group.title} aria-label={group.title}>
            <h2>
              {group.title} ({members.length})
            </h2>
            <ul className="history">
              {members.map((c) => (
                <li key={c.id} className="card">
                  <Link to={`/doctor/cases/${c.id}`}>
                    <strong>{c.patientName}</strong>
                  </Link>{" "}
                  <StatusBadge status={c.status} />
                  {c.unread > 0 && <span className="nav-count">{c.unread} unread</span>}
                  <br />
                  Model: {c.model}
                  {c.ageBracket && ` · ${c.ageBracket}`} · shared{" "}
                  <time dateTime={c.requestedAt}>{c.requestedAt.slice(0, 10)}</time>
                  <p className="prewrap">{c.excerpt}</p>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
