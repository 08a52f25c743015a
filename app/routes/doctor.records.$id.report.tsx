import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { resultView } from "~/analyses/capture";
import { explainAnalysis } from "~/analyses/explain";
import { requireRole } from "~/auth/guards.server";
import { getClinicRecord } from "~/clinic/report.server";
import { SEX_LABELS } from "~/clinic/vocabulary";
import { AnalysisReport } from "~/components/analysis-report";
import { finalAnswerView } from "~/consultations/final.server";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Clinic report · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const { consultation, patient, analysis, practitioner, final } = await getClinicRecord(
      user,
      params.id ?? "",
    );
    return {
      consultationId: consultation.id,
      patient: {
        name: patient.name,
        clinicRef: patient.clinicRef,
        birthDate: patient.birthDate,
        sex: SEX_LABELS[patient.sex],
      },
      practitioner,
      analysis: { id: analysis.id, ...resultView(analysis) },
      decision: final && finalAnswerView(final),
    };
  });
}

export default function ClinicReportPage() {
  const { consultationId, patient, practitioner, analysis, decision } =
    useLoaderData<typeof loader>();
  return (
    <AnalysisReport
      analysis={analysis}
      images={`/doctor/cases/${consultationId}/image`}
      before={<Link to={`/doctor/cases/${consultationId}`}>← Back to the record</Link>}
      title="Peripheral blood smear report"
      status={decision ? "Final — decided by the hematologist" : "Preliminary — no decision yet"}
      facts={[
        ["Patient", patient.name],
        ["Clinic patient ID", patient.clinicRef],
        ["Date of birth", patient.birthDate],
        ["Sex", patient.sex],
        ["Smear analysed", new Date(analysis.createdAt).toUTCString()],
        ["Record", analysis.id],
      ]}
      answer={
        decision && {
          heading: "Hematologist's decision",
          classTerm: "Final class",
          answer: decision,
          texts: [
            ["Morphology", decision.morphology],
            ["Recommendations", decision.recommendations],
          ],
          children: (
            <p className="signature">
              Signed: <strong>{practitioner.name}</strong>
              {practitioner.licenceNumber && <>, licence {practitioner.licenceNumber}</>},{" "}
              {new Date(decision.answeredAt).toUTCString()}
            </p>
          ),
        }
      }
      modelHeading={`Model output (decision support, not a diagnosis): ${explainAnalysis(analysis).headline}`}
      modelFooter={
        <>
          Model version {analysis.modelVersion}; model card: <a href="/about/model">/about/model</a>
        </>
      }
      actions={<a href={`/doctor/records/${consultationId}/fhir`}>FHIR export</a>}
    />
  );
}
