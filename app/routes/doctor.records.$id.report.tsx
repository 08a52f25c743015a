import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { refusalReasons, resultView } from "~/analyses/capture";
import { explainAnalysis } from "~/analyses/explain";
import { CLASS_LABELS, CONFIDENCE_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { getClinicRecord } from "~/clinic/report.server";
import { SEX_LABELS } from "~/clinic/vocabulary";
import {
  CaptureDetails,
  HeatmapView,
  PreliminaryNotice,
  ProbabilityBars,
} from "~/components/analysis-result";
import { DOCTOR_CLASS_LABELS, URGENCY_LABELS } from "~/consultations/vocabulary";
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
      decision: final && {
        assessment: DOCTOR_CLASS_LABELS[final.doctorClass],
        urgency: URGENCY_LABELS[final.urgency],
        recommendations: final.recommendations,
        morphology: final.morphology,
        answeredAt: final.answeredAt.toISOString(),
      },
    };
  });
}

export default function ClinicReportPage() {
  const { consultationId, patient, practitioner, analysis, decision } =
    useLoaderData<typeof loader>();
  const explanation = explainAnalysis(analysis);
  const images = `/doctor/cases/${consultationId}/image`;
  const modelOutput =
    analysis.verdict === "ok"
      ? `${CLASS_LABELS[analysis.topClass]} (${CONFIDENCE_LABELS[analysis.confidence].toLowerCase()})`
      : explanation.headline;
  return (
    <article className="panel report">
      <p className="no-print">
        <Link to={`/doctor/cases/${consultationId}`}>← Back to the record</Link>
      </p>
      <h1>Peripheral blood smear report</h1>
      <p>
        <strong>
          {decision ? "Final — decided by the hematologist" : "Preliminary — no decision yet"}
        </strong>
      </p>
      <dl>
        <dt>Patient</dt>
        <dd>{patient.name}</dd>
        <dt>Clinic patient ID</dt>
        <dd>{patient.clinicRef}</dd>
        <dt>Date of birth</dt>
        <dd>{patient.birthDate}</dd>
        <dt>Sex</dt>
        <dd>{patient.sex}</dd>
        <dt>Smear analysed</dt>
        <dd>{new Date(analysis.createdAt).toUTCString()}</dd>
        <dt>Record</dt>
        <dd>{analysis.id}</dd>
      </dl>
      {decision ? (
        <section aria-labelledby="decision-heading">
          <h2 id="decision-heading">Hematologist&apos;s decision</h2>
          <dl>
            <dt>Final class</dt>
            <dd>{decision.assessment}</dd>
            <dt>Model output</dt>
            <dd>{modelOutput}</dd>
            <dt>Urgency</dt>
            <dd>{decision.urgency}</dd>
          </dl>
          {decision.morphology && (
            <>
              <h3>Morphology</h3>
              <p className="prewrap">{decision.morphology}</p>
            </>
          )}
          <h3>Recommendations</h3>
          <p className="prewrap">{decision.recommendations}</p>
          <p className="signature">
            Signed: <strong>{practitioner.name}</strong>
            {practitioner.licenceNumber && <>, licence {practitioner.licenceNumber}</>},{" "}
            {new Date(decision.answeredAt).toUTCString()}
          </p>
        </section>
      ) : (
        <PreliminaryNotice modelVersion={analysis.modelVersion} />
      )}
      <h2>Model output (decision support, not a diagnosis): {explanation.headline}</h2>
      {analysis.verdict === "ok" ? (
        <>
          <ProbabilityBars probabilities={analysis.probabilities} />
          <HeatmapView imageUrl={`${images}/original`} heatmapUrl={`${images}/heatmap`} />
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
        Model version {analysis.modelVersion}; model card: <a href="/about/model">/about/model</a>
      </p>
      <p className="no-print">
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print this report
        </button>{" "}
        <a href={`/doctor/records/${consultationId}/fhir`}>FHIR export</a>
      </p>
    </article>
  );
}
