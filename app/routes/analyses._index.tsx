import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { listOwnAnalyses } from "~/analyses/analyses.server";
import { requireRole } from "~/auth/guards.server";
import { AnalysisHeadline } from "~/components/analysis-result";
import { withFinalClasses } from "~/consultations/final.server";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "My analyses · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const own = await listOwnAnalyses(user);
    // listOwnAnalyses has scoped the analyses to this patient.
    return { analyses: await withFinalClasses(own) };
  });
}

export default function AnalysesPage() {
  const { analyses } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>My analyses</h1>
      <p>
        <Link className="button" to="/analyses/new">
          Analyse a new smear
        </Link>
      </p>
      {analyses.length === 0 ? (
        <p>You have no analyses yet. Upload or photograph a smear to get a first result.</p>
      ) : (
        <ul className="history">
          {analyses.map((a) => (
            <li key={a.id}>
              <Link to={`/analyses/${a.id}`}>
                <img src={`/analyses/${a.id}/image/thumbnail`} alt="" width={64} height={64} />
                <span>
                  <AnalysisHeadline {...a} />
                  <br />
                  <time dateTime={a.createdAt}>{new Date(a.createdAt).toUTCString()}</time>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
