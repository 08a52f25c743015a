import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getOwnAnalysis } from "~/analyses/analyses.server";
import { explainAnalysis } from "~/analyses/explain";
import { CLASS_LABELS, CONFIDENCE_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { refusalReasons, resultView } from "~/analyses/capture";
import {
  CaptureDetails,
  HeatmapView,
  PreliminaryNotice,
  ProbabilityBars,
} from "~/components/analysis-result";
import { finalReviewFor } from "~/consultations/final.server";
import { DOCTOR_CLASS_LABELS, URGENCY_LABELS } from "~/consultations/vocabulary";
import { doctorName } from "~/doctors/vocabulary";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Analysis report · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const analysis = await getOwnAnalysis(user, params.id ?? "");
    // getOwnAnalysis above has scoped the analysis to this patient.
    const final = await finalReviewFor(analysis.id);
    return {
      patientName: user.displayName,
      analysis: {
        id: analysis.id,
        ...resultView(analysis),
        ageBracket: analysis.ageBracket,
      },
      review: final && {
        reviewer: doctorName(final.doctorTitle, final.doctorName),
        licenceNumber: final.licenceNumber,
        assessment: DOCTOR_CLASS_LABELS[final.doctorClass],
        urgency: URGENCY_LABELS[final.urgency],
        recommendations: final.recommendations,
        morphology: final.morphology,
        answeredAt: final.answeredAt.toISOString(),
      },
    };
  });
}

/** "3 November 2026", the same on the server and in the browser. */
const day = (iso: string) =>
  new Date(iso).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });

export default function ReportPage() {
  const { patientName, analysis, review } = useLoaderData<typeof loader>();
  const explanation = explainAnalysis(analysis);
  const base = `/analyses/${analysis.id}`;
  const modelOutput =
    analysis.verdict === "ok"
      ? `${CLASS_LABELS[analysis.topClass]} (${CONFIDENCE_LABELS[analysis.confidence].toLowerCase()})`
      : explanation.headline;
  return (
    <article className="panel report">
      <h1>HemaLink smear analysis report</h1>
      {review && (
        <p>
          <strong>
            Final — reviewed by {review.reviewer} on {day(review.answeredAt)}
          </strong>
        </p>
      )}
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
      {review ? (
        <>
          <section aria-labelledby="assessment-heading">
            <h2 id="assessment-heading">Hematologist&apos;s review</h2>
            <dl>
              <dt>Hematologist&apos;s assessment</dt>
              <dd>{review.assessment}</dd>
              <dt>Model output</dt>
              <dd>{modelOutput}</dd>
              <dt>Urgency</dt>
              <dd>{review.urgency}</dd>
              <dt>Reviewed by</dt>
              <dd>
                {review.reviewer}
                {review.licenceNumber && <> (licence {review.licenceNumber})</>},{" "}
                {new Date(review.answeredAt).toUTCString()}
              </dd>
            </dl>
            <h3>Advice to the patient</h3>
            <p style={{ whiteSpace: "pre-wrap" }}>{review.recommendations}</p>
            {review.morphology && (
              <>
                <h3>Morphology — what the hematologist saw</h3>
                <p style={{ whiteSpace: "pre-wrap" }}>{review.morphology}</p>
              </>
            )}
          </section>
          <p className="notice" role="note">
            <strong>Model output — informational, not a diagnosis.</strong> The hematologist&apos;s
            assessment above is the clinical review; the model&apos;s output below is for reference
            only. Model version {analysis.modelVersion} (
            <a href="/about/model">how the model works and how well</a>).
          </p>
          <h2>Model output: {explanation.headline}</h2>
        </>
      ) : (
        <>
          <PreliminaryNotice modelVersion={analysis.modelVersion} />
          <h2>{explanation.headline}</h2>
          <p>{explanation.nextStep}</p>
        </>
      )}
      {analysis.verdict === "ok" ? (
        <>
          <ProbabilityBars probabilities={analysis.probabilities} />
          <HeatmapView imageUrl={`${base}/image/original`} heatmapUrl={`${base}/image/heatmap`} />
        </>
      ) : (
        <ul>
          {refusalReasons(analysis.reasons).map((r) => (
            <li key={r.reason}>{r.reason}</li>
          ))}
        </ul>
      )}
      <CaptureDetails capture={analysis.capture} open />
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
