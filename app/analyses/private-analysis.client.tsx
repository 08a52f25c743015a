/**
 * "Analyse on this device — nothing is uploaded": the model runs in the browser on the
 * WebAssembly backend. This panel is small; TensorFlow.js (~290 KB gzipped) and the model are
 * fetched only when the patient chooses private mode, with progress shown for both.
 */
import { useState } from "react";
import type { BrowserResult } from "~/classifier/browser";
import { PreliminaryNotice, ResultSummary } from "~/components/analysis-result";

type State =
  | { name: "idle" }
  | { name: "runtime" }
  | { name: "loading"; fraction: number }
  | { name: "analysing" }
  | { name: "done"; result: BrowserResult }
  | { name: "error"; message: string };

export default function PrivateAnalysis({
  getFile,
  onSave,
}: {
  getFile: () => File | undefined;
  onSave: () => void;
}) {
  const [state, setState] = useState<State>({ name: "idle" });
  const [showHeatmap, setShowHeatmap] = useState(true);
  const [preview, setPreview] = useState<string | null>(null);

  async function run() {
    const file = getFile();
    if (!file) {
      setState({ name: "error", message: "Choose a smear image first." });
      return;
    }
    try {
      setState({ name: "runtime" });
      const { classifyInBrowser, loadBrowserClassifier } = await import("~/classifier/browser");
      setState({ name: "loading", fraction: 0 });
      const classifier = await loadBrowserClassifier((fraction) =>
        setState({ name: "loading", fraction }),
      );
      setState({ name: "analysing" });
      const result = await classifyInBrowser(classifier, file);
      setPreview((old) => {
        if (old) URL.revokeObjectURL(old);
        return URL.createObjectURL(file);
      });
      setState({ name: "done", result });
    } catch {
      setState({
        name: "error",
        message:
          "This image could not be analysed on this device. Check that it is a JPEG, PNG or WebP photo.",
      });
    }
  }

  const c = state.name === "done" ? state.result.classification : undefined;
  return (
    <section className="private-analysis" aria-labelledby="private-heading">
      <h2 id="private-heading">Private mode</h2>
      <p>
        The model runs in your browser: the image never leaves this device unless you choose to save
        it.
      </p>
      <button
        type="button"
        className="secondary"
        onClick={run}
        disabled={["runtime", "loading", "analysing"].includes(state.name)}
      >
        Analyse on this device — nothing is uploaded
      </button>
      {state.name === "runtime" && (
        <p>
          <label htmlFor="runtime-progress">Downloading the on-device analyser…</label>
          <progress id="runtime-progress" />
        </p>
      )}
      {state.name === "loading" && (
        <p>
          <label htmlFor="model-progress">Downloading the model…</label>
          <progress id="model-progress" max={1} value={state.fraction} />
        </p>
      )}
      {state.name === "analysing" && <p role="status">Analysing on this device…</p>}
      {state.name === "error" && (
        <p role="alert" className="error">
          {state.message}
        </p>
      )}
      {c && state.name === "done" && (
        <div
          className="private-result"
          data-probabilities={JSON.stringify(c.probabilities)}
          data-verdict={c.verdict}
          data-top={c.top}
          data-reasons={JSON.stringify(c.reasons)}
          data-scale={c.capture?.scale}
        >
          <PreliminaryNotice modelVersion={c.modelVersion} />
          <ResultSummary
            result={{
              verdict: c.verdict,
              reasons: c.reasons,
              probabilities: c.probabilities,
              topClass: c.top,
              confidence: c.confidence,
              modelVersion: c.modelVersion,
              capture: c.capture,
            }}
          />
          {c.verdict === "cant_assess"
            ? null
            : preview && (
                <figure className="heatmap">
                  <label>
                    <input
                      type="checkbox"
                      checked={showHeatmap}
                      onChange={(e) => setShowHeatmap(e.currentTarget.checked)}
                    />{" "}
                    Show heat-map
                  </label>
                  <div className="heatmap-frame">
                    <img src={preview} alt="Your smear image" />
                    {showHeatmap && (
                      <img src={state.result.heatmapUrl} alt="" className="heatmap-overlay" />
                    )}
                  </div>
                  <figcaption>
                    The heat-map shows which areas most influenced the model. It does not mark
                    cancer cells and can highlight irrelevant areas.
                  </figcaption>
                </figure>
              )}
          <p>
            Nothing has been uploaded. To keep this result in your records, save it: the server
            analyses the image again.
          </p>
          <button type="button" onClick={onSave}>
            Save to my records
          </button>
        </div>
      )}
    </section>
  );
}
