import { captureRows, refusalReasons } from "~/analyses/capture";
import { explainAnalysis } from "~/analyses/explain";
import {
  CLASS_IDS,
  CLASS_LABELS,
  CONFIDENCE_LABELS,
  type ClassId,
  type Confidence,
  type Probabilities,
  type Verdict,
} from "~/analyses/vocabulary";
import type { CaptureReport } from "~/classifier/classify";
import { DOCTOR_CLASS_LABELS, type DoctorClass } from "~/consultations/vocabulary";

export type ResultView = {
  verdict: Verdict;
  reasons: string[];
  probabilities: Probabilities;
  topClass: ClassId;
  confidence: Confidence;
  modelVersion: string;
  capture?: CaptureReport | null;
};

/** A hematologist's answer that makes an analysis final. */
export type FinalAnswer = { doctorClass: DoctorClass; doctorName: string };

/**
 * An analysis in a list (history, dashboard): the hematologist's answer first, marked Final,
 * with the model's output below as its preliminary output; the model's output alone otherwise.
 */
export function AnalysisHeadline({
  verdict,
  topClass,
  confidence,
  final,
}: {
  verdict: Verdict;
  topClass: ClassId;
  confidence: Confidence;
  final?: FinalAnswer | null;
}) {
  const model =
    verdict === "ok"
      ? `${CLASS_LABELS[topClass]} · ${CONFIDENCE_LABELS[confidence]}`
      : "Can't assess this image";
  if (!final)
    return (
      <span className="analysis-headline">
        <strong>{verdict === "ok" ? CLASS_LABELS[topClass] : model}</strong>
        {verdict === "ok" && <> · {CONFIDENCE_LABELS[confidence]}</>}
      </span>
    );
  return (
    <span className="analysis-headline">
      <span className="badge final">Final</span>{" "}
      <strong>{DOCTOR_CLASS_LABELS[final.doctorClass]}</strong> · {final.doctorName}
      <span className="preliminary">Model’s preliminary output: {model}</span>
    </span>
  );
}

/** What the capture normalisation measured, so a reader sees why the model judged or refused. */
export function CaptureDetails({
  capture,
  open = false,
}: {
  capture: CaptureReport | null | undefined;
  open?: boolean;
}) {
  const rows = captureRows(capture);
  if (rows.length === 0) return null;
  return (
    <details className="capture-details" open={open}>
      <summary>What was measured in the photo</summary>
      <dl className="facts">
        {rows.map((row) => (
          <div key={row.key}>
            <dt>{row.label}</dt>
            <dd>{row.value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

export function ProbabilityBars({ probabilities }: { probabilities: Probabilities }) {
  return (
    <dl className="probabilities">
      {CLASS_IDS.map((id) => {
        const percent = Math.round(probabilities[id] * 1000) / 10;
        return (
          <div key={id} className="probability">
            <dt>{CLASS_LABELS[id]}</dt>
            <dd>
              <span className="bar" aria-hidden="true">
                <span style={{ width: `${percent}%` }} />
              </span>
              <span className="value">{percent.toFixed(1)}%</span>
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** The smear with a heat-map overlay the patient can switch on and off (works without JS). */
export function HeatmapView({
  imageUrl,
  heatmapUrl,
  alt = "Your smear image",
}: {
  imageUrl: string;
  heatmapUrl: string;
  alt?: string;
}) {
  return (
    <figure className="heatmap">
      {/* The switch is for the screen; a printed report shows the heat-map and its legend. */}
      <input type="checkbox" id="show-heatmap" className="heatmap-toggle no-print" defaultChecked />
      <label htmlFor="show-heatmap" className="no-print">
        Show heat-map
      </label>
      <div className="heatmap-frame">
        <img src={imageUrl} alt={alt} />
        <img src={heatmapUrl} alt="" className="heatmap-overlay" />
      </div>
      <p className="heatmap-legend" aria-hidden="true">
        <span>little influence</span>
        <span className="heatmap-scale" />
        <span>most influence</span>
      </p>
      <figcaption>
        The heat-map shows which areas most influenced the model: uncoloured areas little, then from
        grey-blue through yellow to red the most. It does not mark cancer cells and can highlight
        irrelevant areas.
      </figcaption>
    </figure>
  );
}

export function PreliminaryNotice({
  modelVersion,
  reviewedBy,
}: {
  modelVersion: string;
  /** Once a hematologist has answered, the model's output is no longer the next step. */
  reviewedBy?: string;
}) {
  return (
    <p className="notice" role="note">
      {reviewedBy ? (
        <strong>
          Model output — informational, not a diagnosis. {reviewedBy} has reviewed this analysis:
          follow their assessment.
        </strong>
      ) : (
        <strong>Preliminary — informational, not a diagnosis; a hematologist must confirm.</strong>
      )}{" "}
      Model version {modelVersion} (<a href="/about/model">how the model works and how well</a>).
    </p>
  );
}

export function ResultSummary({
  result,
  showNextStep = true,
  reviewed = false,
  headingId = "result-heading",
}: {
  result: ResultView;
  /** The heading's id, unique on a page that shows several results (the lab's comparison). */
  headingId?: string;
  /** Off once a hematologist has answered: their recommendations are the next step. */
  showNextStep?: boolean;
  /** A hematologist has answered: the model's output is shown below theirs, as preliminary. */
  reviewed?: boolean;
}) {
  const explanation = explainAnalysis(result);
  if (reviewed) {
    return (
      <section aria-labelledby={headingId} className="preliminary-output">
        <h2 id={headingId}>Model’s preliminary output</h2>
        <p>
          {result.verdict === "ok" ? (
            <>
              The image most resembles <strong>{CLASS_LABELS[result.topClass]}</strong>{" "}
              <span className={`badge confidence-${result.confidence}`}>
                {CONFIDENCE_LABELS[result.confidence]}
              </span>
            </>
          ) : (
            <>The model could not assess this image.</>
          )}
        </p>
        {result.verdict === "ok" && <ProbabilityBars probabilities={result.probabilities} />}
        <CaptureDetails capture={result.capture} />
      </section>
    );
  }
  if (result.verdict === "cant_assess") {
    return (
      <section aria-labelledby={headingId}>
        <h2 id={headingId}>{explanation.headline}</h2>
        <p>{explanation.nextStep}</p>
        <h3>Why</h3>
        <ul className="reasons">
          {refusalReasons(result.reasons).map((r) => (
            <li key={r.reason}>
              {r.reason}
              {r.advice && <span className="advice"> {r.advice}</span>}
            </li>
          ))}
        </ul>
        <p>
          <a href="/guide/capture">How to take a photo the model can assess</a> — or share the image
          with a hematologist, who can assess it whatever the camera or stain.
        </p>
        <CaptureDetails capture={result.capture} />
      </section>
    );
  }
  return (
    <section aria-labelledby={headingId}>
      <p className="eyebrow">The image most resembles</p>
      <h2 id={headingId}>{explanation.headline}</h2>
      <p>
        <span className={`badge confidence-${result.confidence}`}>
          {CONFIDENCE_LABELS[result.confidence]}
        </span>
      </p>
      {showNextStep && <p>{explanation.nextStep}</p>}
      <ProbabilityBars probabilities={result.probabilities} />
      <CaptureDetails capture={result.capture} />
    </section>
  );
}
