import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getOwnAnalysis } from "~/analyses/analyses.server";
import { resultView } from "~/analyses/capture";
import { explainAnalysis } from "~/analyses/explain";
import { requireRole } from "~/auth/guards.server";
import { AnalysisReport } from "~/components/analysis-report";
import { finalAnswerView, finalReviewFor } from "~/consultations/final.server";
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
      review: final && finalAnswerView(final),
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
  return (
    <AnalysisReport
      analysis={analysis}
      images={`/analyses/${analysis.id}/image`}
      title="HemaLink smear analysis report"
      status={review && `Final — reviewed by ${review.reviewer} on ${day(review.answeredAt)}`}
      facts={[
        ["Name", patientName],
        ["Date", new Date(analysis.createdAt).toUTCString()],
        ["Analysis", analysis.id],
        analysis.ageBracket && ["Age group", analysis.ageBracket],
      ]}
      answer={
        review && {
          heading: "Hematologist's review",
          classTerm: "Hematologist's assessment",
          answer: review,
          facts: [
            [
              "Reviewed by",
              <>
                {review.reviewer}
                {review.licenceNumber && <> (licence {review.licenceNumber})</>},{" "}
                {new Date(review.answeredAt).toUTCString()}
              </>,
            ],
          ],
          texts: [
            ["Advice to the patient", review.recommendations],
            ["Morphology — what the hematologist saw", review.morphology],
          ],
        }
      }
      answeredNotice={
        <>
          <strong>Model output — informational, not a diagnosis.</strong> The hematologist&apos;s
          assessment above is the clinical review; the model&apos;s output below is for reference
          only. Model version {analysis.modelVersion} (
          <a href="/about/model">how the model works and how well</a>).
        </>
      }
      modelHeading={review ? `Model output: ${explanation.headline}` : explanation.headline}
      nextStep={explanation.nextStep}
      modelFooter={
        <>
          Model card: <a href="/about/model">/about/model</a>
        </>
      }
    />
  );
}
