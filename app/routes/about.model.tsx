import type { MetaFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { getModelCard } from "~/classifier/card.server";
import { ScrollingTable } from "~/components/scrolling-table";
import { handleLoader } from "~/http/pipeline.server";
import { promotionHistory } from "~/lab/promotion.server";
import { PROMOTION_KIND_LABELS } from "~/lab/vocabulary";

export const meta: MetaFunction = () => [{ title: "About the model · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async () => {
    const [card, history] = await Promise.all([getModelCard(), promotionHistory(10)]);
    return {
      card,
      history: history.map((h) => ({
        id: h.id,
        kind: h.kind,
        version: h.version,
        previousVersion: h.previousVersion,
        at: h.createdAt.toISOString().slice(0, 16).replace("T", " "),
      })),
    };
  });
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

const RECAPTURE_NAMES: Record<string, string> = {
  enlarged: "Enlarged 2×",
  shrunk: "Shrunk to 0.75×",
  eyepiece: "Phone through the eyepiece",
  colourCast: "Colour cast",
  strongColourShift: "Colour shifts ±25 %",
};

export default function AboutModelPage() {
  const { card, history } = useLoaderData<typeof loader>();
  const m = card.metrics;
  return (
    <>
      <section className="panel">
        <h1>How the staging model works, and how well</h1>
        <p className="notice" role="note">
          <strong>{card.intendedUse}</strong>
        </p>
        <p>
          Model version <strong>{card.version}</strong>, trained {card.date}. It sorts a smear image
          into one of four groups: {Object.values(CLASS_LABELS).join(", ")}. Before staging it
          checks that the image looks like a stained blood smear; if not, it says it can't assess
          the image.
        </p>
        {history.length > 0 && (
          <>
            <p>
              In use since {history[0]!.at} UTC. Every analysis keeps the version it was made with.
            </p>
            <details>
              <summary>Changes of the model in use</summary>
              <ol>
                {history.map((h) => (
                  <li key={h.id}>
                    {h.at} UTC: {PROMOTION_KIND_LABELS[h.kind]} {h.version}
                    {h.previousVersion && ` (was ${h.previousVersion})`}
                  </li>
                ))}
              </ol>
            </details>
          </>
        )}
      </section>
      <section className="panel" aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">
          Measured on {m.images} held-out smears of the training hospital
        </h2>
        <p>
          These smears come from blocks of the dataset that the model never saw during training. It
          staged <strong>{pct(1 - m.staged.refusedRate)}</strong> of them and refused the rest
          (&ldquo;can&apos;t assess&rdquo;). Of those it staged,{" "}
          <strong>{pct(m.staged.accuracy)}</strong> were right; leukaemic smears called benign:{" "}
          {pct(m.staged.leukaemicCalledBenignRate)}. Calibration error (ECE){" "}
          {m.calibration.eceAfterScaling.toFixed(3)} after temperature scaling (
          {m.calibration.eceBeforeScaling.toFixed(3)} before).
        </p>
        <ScrollingTable
          label="Per class, on the staged smears"
          caption="Per class, on the staged smears"
          columns={["Class", "Precision", "Recall", "F1", "Images"]}
        >
          <tbody>
            {m.staged.confusionMatrix.order.map((id) => (
              <tr key={id}>
                <th scope="row">{CLASS_LABELS[id]}</th>
                <td>{pct(m.staged.perClass[id].precision)}</td>
                <td>{pct(m.staged.perClass[id].recall)}</td>
                <td>{pct(m.staged.perClass[id].f1)}</td>
                <td>{m.staged.perClass[id].support}</td>
              </tr>
            ))}
          </tbody>
        </ScrollingTable>
        <ScrollingTable
          label="Confusion matrix"
          caption={<>Confusion matrix (rows: true class, columns: the model&apos;s answer)</>}
          className="confusion"
          columns={[null, ...m.staged.confusionMatrix.order.map((id) => CLASS_LABELS[id])]}
        >
          <tbody>
            {m.staged.confusionMatrix.values.map((row, i) => (
              <tr key={m.staged.confusionMatrix.order[i]}>
                <th scope="row">{CLASS_LABELS[m.staged.confusionMatrix.order[i]!]}</th>
                {row.map((v, j) => (
                  <td key={j} className={i === j ? "diagonal" : undefined}>
                    {v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </ScrollingTable>
        <h3>Other captures of the same smears</h3>
        <ScrollingTable
          label="The held-out smears re-captured"
          caption="The held-out smears re-captured"
          columns={["Capture", "Staged", "Right, of staged", "Leukaemic called benign"]}
        >
          <tbody>
            {Object.entries({
              ...m.recaptures,
              strongColourShift: m.robustness.strongColourShift,
            }).map(([name, r]) => (
              <tr key={name}>
                <th scope="row">{RECAPTURE_NAMES[name] ?? name}</th>
                <td>{pct(r.stagedRate)}</td>
                <td>{pct(r.accuracyOfStaged)}</td>
                <td>{pct(r.leukaemicCalledBenignRate)}</td>
              </tr>
            ))}
          </tbody>
        </ScrollingTable>
        <details>
          <summary>How each re-capture was made</summary>
          <ul>
            {Object.entries({
              ...m.recaptures,
              strongColourShift: m.robustness.strongColourShift,
            }).map(([name, r]) => (
              <li key={name}>
                {RECAPTURE_NAMES[name] ?? name}: {r.describe}.
              </li>
            ))}
          </ul>
        </details>
        <ul>
          <li>
            Answers changed when the scale-bar corner was painted over:{" "}
            {pct(m.robustness.cornerProbeChangeRate)}; under small colour changes (±10%):{" "}
            {pct(m.robustness.colourJitterChangeRate)}.
          </li>
        </ul>
        <h3>Other laboratories and images that are not smears</h3>
        <ul>
          {Object.entries(m.otherLaboratories?.bySource ?? {}).map(([source, r]) => (
            <li key={source}>
              Normal blood from another laboratory ({source}, {r.images} images): staged as
              leukaemia {pct(r.stagedAsLeukaemiaRate)}, staged at all {pct(r.stagedRate)}.
            </li>
          ))}
          {Object.entries(m.realNonSmears?.byKind ?? {}).map(([kind, r]) => (
            <li key={kind}>
              Real non-smear images ({kind}, {r.images}): refused {pct(r.refusedRate)}.
            </li>
          ))}
          <li>
            Generated non-smear images (noise, text, screenshots, shapes…): refused{" "}
            {pct(m.generatedNonSmears.refusedRate)} of {m.generatedNonSmears.images}.
          </li>
        </ul>
        <p>{card.inputVerdict.method}</p>
        <p>
          <a href="/guide/capture">Capture guide</a>: how to take a photo the model can assess.
        </p>
      </section>
      <section className="panel" aria-labelledby="data-heading">
        <h2 id="data-heading">Data and citation</h2>
        <p>
          Trained on the &ldquo;{card.trainingData.name}&rdquo; ({card.trainingData.authors},{" "}
          {card.trainingData.source}, DOI {card.trainingData.doi}): {card.trainingData.description}.
        </p>
        <p>{card.trainingData.paper}.</p>
        {card.evaluationData && (
          <p>Also evaluated on (never trained on): {card.evaluationData.join("; ")}.</p>
        )}
        <p>
          Split: {card.trainingData.split.method}. Training{" "}
          {card.trainingData.split.sizes.train?.images}, validation{" "}
          {card.trainingData.split.sizes.validation?.images}, test{" "}
          {card.trainingData.split.sizes.test?.images} images.
        </p>
        <h3>Model</h3>
        <p>
          {card.architecture}; {card.parameters.toLocaleString("en")} parameters,{" "}
          {Math.round(card.weightBytes / 1024)} KB of weights; input {card.inputSize}×
          {card.inputSize} px. Preprocessing: {card.preprocessing}. Trained in{" "}
          {card.training.trainingMinutes} minutes on {card.training.hardware}.
        </p>
        {card.training.members && (
          <>
            <p>Made of these trainings:</p>
            <ul>
              {card.training.members.map((m) => (
                <li key={m.from}>
                  {m.from}: seed {m.seed}
                  {m.initialisedFrom ? `, fine-tuned from ${m.initialisedFrom}` : ""}, best epoch{" "}
                  {m.bestEpoch}, {m.trainingMinutes} minutes
                </li>
              ))}
            </ul>
          </>
        )}
        <details className="table-scroll">
          <summary>Learning curve (best epoch {card.training.bestEpoch})</summary>
          <table>
            <caption>
              Loss and accuracy per epoch (training: augmented images; validation: as is)
            </caption>
            <thead>
              <tr>
                <th scope="col">Epoch</th>
                <th scope="col">Training loss</th>
                <th scope="col">Training accuracy</th>
                <th scope="col">Validation loss</th>
                <th scope="col">Validation accuracy</th>
              </tr>
            </thead>
            <tbody>
              {card.training.learningCurve.map((row) => (
                <tr key={row.epoch}>
                  <td>{row.epoch}</td>
                  <td>{row.trainLoss?.toFixed(3)}</td>
                  <td>{pct(row.trainAccuracy ?? 0)}</td>
                  <td>{row.validationLoss?.toFixed(3)}</td>
                  <td>{pct(row.validationAccuracy ?? 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
        <h3>Known limits</h3>
        <ul>
          {card.knownLimits.map((limit) => (
            <li key={limit}>{limit}</li>
          ))}
        </ul>
      </section>
    </>
  );
}
