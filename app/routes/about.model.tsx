import type { MetaFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { getModelCard } from "~/classifier/card.server";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "About the model · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async () => {
    return { card: await getModelCard() };
  });
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export default function AboutModelPage() {
  const { card } = useLoaderData<typeof loader>();
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
      </section>
      <section className="panel" aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Measured on {m.images} held-out images</h2>
        <p>
          These images come from blocks of the dataset that the model never saw during training.
          Accuracy <strong>{pct(m.accuracy)}</strong>. Calibration error (ECE){" "}
          {m.calibration.eceAfterScaling.toFixed(3)} after temperature scaling (
          {m.calibration.eceBeforeScaling.toFixed(3)} before).
        </p>
        <table>
          <caption>Per class</caption>
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">Precision</th>
              <th scope="col">Recall</th>
              <th scope="col">F1</th>
              <th scope="col">Images</th>
            </tr>
          </thead>
          <tbody>
            {m.confusionMatrix.order.map((id) => (
              <tr key={id}>
                <th scope="row">{CLASS_LABELS[id]}</th>
                <td>{pct(m.perClass[id].precision)}</td>
                <td>{pct(m.perClass[id].recall)}</td>
                <td>{pct(m.perClass[id].f1)}</td>
                <td>{m.perClass[id].support}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="confusion">
          <caption>Confusion matrix (rows: true class, columns: the model&apos;s answer)</caption>
          <thead>
            <tr>
              <td />
              {m.confusionMatrix.order.map((id) => (
                <th key={id} scope="col">
                  {CLASS_LABELS[id]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {m.confusionMatrix.values.map((row, i) => (
              <tr key={m.confusionMatrix.order[i]}>
                <th scope="row">{CLASS_LABELS[m.confusionMatrix.order[i]!]}</th>
                {row.map((v, j) => (
                  <td key={j} className={i === j ? "diagonal" : undefined}>
                    {v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        <h3>Robustness and input checks</h3>
        <ul>
          <li>
            Answers changed when the scale-bar corner was painted over:{" "}
            {pct(m.robustness.cornerProbeFlipRate)}.
          </li>
          <li>
            Answers changed under small colour changes (±10%):{" "}
            {pct(m.robustness.colourJitterFlipRate)}; accuracy under larger colour shifts (±25%):{" "}
            {pct(m.robustness.accuracyUnderStrongColourShift)}.
          </li>
          <li>
            Real smears the model refused to assess:{" "}
            {pct(m.inputVerdict.cantAssessRateOnRealSmears)}.
          </li>
          <li>
            Non-smear test images (noise, text, screenshots, shapes…) refused:{" "}
            {pct(m.inputVerdict.nonSmearRefusalRate)} of {m.inputVerdict.generatedNonSmearImages}.
          </li>
        </ul>
        <p>{card.inputVerdict.method}</p>
      </section>
      <section className="panel" aria-labelledby="data-heading">
        <h2 id="data-heading">Data and citation</h2>
        <p>
          Trained on the &ldquo;{card.trainingData.name}&rdquo; ({card.trainingData.authors},{" "}
          {card.trainingData.source}, DOI {card.trainingData.doi}): {card.trainingData.description}.
        </p>
        <p>{card.trainingData.paper}.</p>
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
        <details>
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
