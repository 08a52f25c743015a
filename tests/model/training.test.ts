import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startWasmBackend } from "~/classifier/backend.server";
import { loadModel } from "~/classifier/files.server";
import { loadDataset } from "../../scripts/model/dataset";
import { DEFAULT_RECIPE, trainModel, type Checkpoint } from "../../scripts/model/training";
import { labelledFiles } from "../lab/archives";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "training-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// A real but tiny recipe: two narrow blocks, one short epoch, so the loop runs in seconds.
const recipe = { ...DEFAULT_RECIPE, widths: [4, 8], epochs: 2, batchSize: 8, patience: 5 };

async function tinyDataset() {
  const data = path.join(dir, "data");
  const files = await labelledFiles(10, 128);
  for (const [name, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.join(data, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(data, name), bytes);
  }
  fs.writeFileSync(
    path.join(data, "manifest.csv"),
    ["file,exact_duplicate_of", ...Object.keys(files).map((f) => `${f},`)].join("\n"),
  );
  return loadDataset(data, {
    blockSize: 1,
    fractions: { train: 0.7, validation: 0.15, test: 0.15 },
    seed: 3,
  });
}

describe("the shared training loop", () => {
  test("trains, reports batches and epochs, checkpoints each epoch, resumes from one and stops when asked", async () => {
    await startWasmBackend();
    const samples = await tinyDataset();
    const out = path.join(dir, "model");
    const batches: number[] = [];
    const events: string[] = [];
    const checkpoints: Checkpoint[] = [];
    const first = await trainModel(
      samples,
      out,
      { ...recipe, epochs: 1 },
      {
        log: (row) => events.push((row as { event: string }).event),
        onBatch: (b) => batches.push(b.batch),
        checkpoint: async (state) => {
          checkpoints.push({
            ...state,
            weights: state.weights.map((w) => w.clone()),
            bestWeights: state.bestWeights.map((w) => w.clone()),
            optimizer: state.optimizer.map((n) => ({ name: n.name, tensor: n.tensor.clone() })),
          });
        },
      },
    );
    expect(events).toEqual(["validation-views", "epoch"]);
    expect(batches).toEqual([1, 2, 3]);
    expect(first).toMatchObject({ bestEpoch: 1, stopped: false });
    expect(checkpoints.map((c) => c.epoch)).toEqual([1]);
    expect((await loadModel(out)).countParams()).toBeGreaterThan(0);
    const training = JSON.parse(fs.readFileSync(path.join(out, "training.json"), "utf8"));
    expect(training.learningCurve).toHaveLength(1);

    // Resumed after epoch 1: only epoch 2 runs, and the curve carries on.
    const resumed = await trainModel(samples, out, recipe, {
      log: () => {},
      resumeFrom: checkpoints[0],
    });
    expect(resumed.curve.map((r) => r.epoch)).toEqual([1, 2]);

    const stopped = await trainModel(samples, path.join(dir, "stopped"), recipe, {
      log: () => {},
      shouldStop: () => true,
    });
    expect(stopped).toMatchObject({ stopped: true, bestEpoch: 0, curve: [] });
  }, 120_000);
});
