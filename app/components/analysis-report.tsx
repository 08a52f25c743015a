/**
 * The printable report of one analysis, shared by the patient's report and the clinic record's
 * report: who and when, the hematologist's answer when there is one, the model's output (its
 * probabilities and heat-map, or why it could not judge), what was measured, and the print
 * button. Each route keeps its own guard and loader and names its own facts and words.
 */
import { Fragment, type ReactNode } from "react";
import { refusalReasons } from "~/analyses/capture";
import { explainAnalysis } from "~/analyses/explain";
import { CLASS_LABELS, CONFIDENCE_LABELS } from "~/analyses/vocabulary";
import {
  CaptureDetails,
  HeatmapView,
  PreliminaryNotice,
  ProbabilityBars,
  type ResultView,
} from "./analysis-result";

type Fact = [term: string, value: ReactNode];
/** A fact, or nothing where the record has no value for it. */
type MaybeFact = Fact | false | "" | null | undefined;

/** A definition list of the facts that have a value. */
function Facts({ facts }: { facts: MaybeFact[] }) {
  const shown = facts.filter((fact): fact is Fact => Boolean(fact));
  return (
    <dl>
      {shown.map(([term, value]) => (
        <Fragment key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/** The model's output in one line: its class and confidence, or that it could not assess. */
function modelOutputLine(analysis: ResultView): string {
  return analysis.verdict === "ok"
    ? `${CLASS_LABELS[analysis.topClass]} (${CONFIDENCE_LABELS[analysis.confidence].toLowerCase()})`
    : explainAnalysis(analysis).headline;
}

/** A final answer, as a report prints it (see `finalAnswerView`). */
export type ReportAnswer = {
  assessment: string;
  urgency: string;
  recommendations: string;
  morphology: string;
  answeredAt: string;
};

/** The hematologist's answer: their class beside the model's output, urgency, their words. */
function AnswerSection({
  heading,
  classTerm,
  answer,
  analysis,
  facts = [],
  texts,
  children,
}: {
  heading: string;
  classTerm: string;
  answer: ReportAnswer;
  analysis: ResultView;
  facts?: Fact[];
  /** The answer's texts under their headings, in the order the page reads them. */
  texts: [heading: string, text: string][];
  children?: ReactNode;
}) {
  return (
    <section aria-labelledby="answer-heading">
      <h2 id="answer-heading">{heading}</h2>
      <Facts
        facts={[
          [classTerm, answer.assessment],
          ["Model output", modelOutputLine(analysis)],
          ["Urgency", answer.urgency],
          ...facts,
        ]}
      />
      {texts
        .filter(([, text]) => text)
        .map(([title, text]) => (
          <Fragment key={title}>
            <h3>{title}</h3>
            <p className="prewrap">{text}</p>
          </Fragment>
        ))}
      {children}
    </section>
  );
}

export function AnalysisReport({
  analysis,
  images,
  title,
  before,
  status,
  facts,
  answer,
  answeredNotice,
  modelHeading,
  nextStep,
  modelFooter,
  actions,
}: {
  analysis: ResultView;
  /** Where the original and heat-map images are served: `${images}/original`. */
  images: string;
  title: string;
  /** Above the title (a link back), hidden in print. */
  before?: ReactNode;
  /** The line under the title: final or preliminary. */
  status?: ReactNode;
  facts: MaybeFact[];
  /** The hematologist's answer, when there is one; otherwise the preliminary notice shows. */
  answer?: Omit<Parameters<typeof AnswerSection>[0], "analysis"> | null;
  /** Once answered: what the model's output below the answer is. */
  answeredNotice?: ReactNode;
  modelHeading: string;
  /** Before an answer: what to do next. */
  nextStep?: string;
  /** The line under the findings naming the model card. */
  modelFooter: ReactNode;
  /** Beside the print button. */
  actions?: ReactNode;
}) {
  return (
    <article className="panel report">
      {before && <p className="no-print">{before}</p>}
      <h1>{title}</h1>
      {status && (
        <p>
          <strong>{status}</strong>
        </p>
      )}
      <Facts facts={facts} />
      {answer ? (
        <AnswerSection {...answer} analysis={analysis} />
      ) : (
        <PreliminaryNotice modelVersion={analysis.modelVersion} />
      )}
      {answer && answeredNotice && (
        <p className="notice" role="note">
          {answeredNotice}
        </p>
      )}
      <h2>{modelHeading}</h2>
      {!answer && nextStep && <p>{nextStep}</p>}
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
      <p>{modelFooter}</p>
      <p className="no-print">
        <button type="button" className="secondary" onClick={() => window.print()}>
          Print this report
        </button>
        {actions && <> {actions}</>}
      </p>
    </article>
  );
}
