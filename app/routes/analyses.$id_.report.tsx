import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getOwnAnalysis } from "~/analyses/analyses.server";
import { explainAnalysis } from "~/analyses/explain";
import { requireRole } from "~/auth/guards.server";
import { HeatmapView, PreliminaryNotice, ProbabilityBars } from "~/components/analysis-result";
import { clientIp } from "~/security/request.server";

export const meta: MetaFunction = () => [{ title: "Analysis report · HemaLink" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "patient");
  const analysis = getOwnAnalysis(user, params.id ?? "", clientIp(request, context));
  return {
    patientName: user.displayName,
    analysis: {
      id: analysis.id,
      verdict: analysis.verdict,
      reasons: analysis.reasons,
      topClass: analysis.topClass,
      probabilities: analysis.probabilities,
      confidence: analysis.confidence,
      modelVersion: analysis.modelVersion,
      ageBracket: analysis.ageBracket,
      createdAt: analysis.createdAt.toISOString(),
    },
  };
}

export default function ReportPage() {
  const { patientName, analysis } = useLoaderData<typeof loader>();
  const explanation = explainAnalysis(analysis);
  const base = `/analyses/${analysis.id}`;
  return (
    <article className="panel report">
      <h1>HemaLink smear analysis report</h1>
      <dl>
        <dt>Name</dt>
        <dd>{patientName}</dd>
        <dt>Date</dt>
        <dd>{new Date(analysis.createdAt).toUTCString()}</dd>
        <dt>Analysis</dt>
        <dd>{analysis.id}</dd>
        {analysis.ageBracket && (
          <>
            <dt>Age group</dt>
            <dd>{analysis.ageBracket}</dd>
          </>
        )}
      </dl>
      <PreliminaryNotice modelVersion={analysis.modelVersion} />
      <h2>{explanation.headline}</h2>
      <p>{explanation.nextStep}</p>
      {analysis.verdict === "ok" ? (
        <>
          <ProbabilityBars probabilities={analysis.probabilities} />
          <HeatmapView imageUrl={`${base}/image/original`} heatmapUrl={`${base}/image/heatmap`} />
        </>
      ) : (
        <ul>
          {analysis.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
      <p>
        Model card: <a href="/about/model">/about/model</a>
      </p>
      <p className="no-print">
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print this report
        </button>
      </p>
    </article>
  );
}
