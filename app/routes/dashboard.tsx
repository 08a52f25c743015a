import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listOwnAnalyses } from "~/analyses/analyses.server";
import { AnalysisHeadline } from "~/components/analysis-result";
import { StatusBadge } from "~/components/consultation";
import { withFinalClasses } from "~/consultations/final.server";
import { listOwnConsultations } from "~/consultations/queries.server";
import { requireRole } from "~/auth/guards.server";
import { handleLoader } from "~/http/pipeline.server";
import { LinkButtons } from "~/components/link-buttons";

export const meta: MetaFunction = () => [{ title: "My dashboard · HemaLink" }];

const RECENT = 3;

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const analyses = await listOwnAnalyses(user);
    const consultations = await listOwnConsultations(user);
    const recent = analyses.slice(0, RECENT);
    return {
      consultations: consultations.slice(0, RECENT).map((c) => ({
        id: c.id,
        doctorName: c.doctorName,
        status: c.status,
        revoked: Boolean(c.revokedAt),
      })),
      name: user.displayName,
      total: analyses.length,
      // listOwnAnalyses has scoped the analyses to this patient.
      recent: await withFinalClasses(recent),
    };
  });
}

export default function PatientDashboard() {
  const { name, total, recent, consultations } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Welcome, {name}</h1>
      <h2>Your analyses</h2>
      {total === 0 ? (
        <p>
          You have no analyses yet. Your next step: upload or photograph your stained blood smear.
        </p>
      ) : (
        <ul>
          {recent.map((a) => (
            <li key={a.id}>
              <Link to={`/analyses/${a.id}`}>
                <AnalysisHeadline {...a} />
              </Link>{" "}
              — <time dateTime={a.createdAt}>{new Date(a.createdAt).toUTCString()}</time>
            </li>
          ))}
          {total > RECENT && (
            <li>
              <Link to="/analyses">All {total} analyses</Link>
            </li>
          )}
        </ul>
      )}
      {consultations.length > 0 && (
        <>
          <h2>Your consultations</h2>
          <ul>
            {consultations.map((c) => (
              <li key={c.id}>
                <Link to={`/consultations/${c.id}`}>{c.doctorName}</Link>{" "}
                <StatusBadge status={c.status} revoked={c.revoked} />
              </li>
            ))}
            <li>
              <Link to="/consultations">All consultations</Link>
            </li>
          </ul>
        </>
      )}
      <LinkButtons
        links={[
          { to: "/analyses/new", label: "Analyse a smear" },
          { to: "/doctors", label: "Find a hematologist" },
        ]}
      />
      <p>
        <Link to="/account/data">Your data: download it, or delete your account</Link>
      </p>
      <p className="notice">
        Results are preliminary and informational, not a diagnosis: a hematologist must confirm.
      </p>
    </section>
  );
}
