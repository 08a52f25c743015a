/**
 * Train the staging CNN on the wasm backend:
 *   npm run train -- --data <dataset dir> --out public/models/<version> [--colour rgb|luma]
 *     [--size 128] [--epochs 22] [--seed 1] [--checkpoint <dir>]
 * Logs one JSON line per epoch; writes the model, the learning curve, then calibrates and
 * evaluates (runtime.json and model-card.json). The loop itself is `trainModel` (training.ts),
 * which the model lab's jobs run too.
 */
import { parseArgs } from "node:util";
import { startWasmBackend } from "~/classifier/backend.server";
import { DEFAULT_ARCHITECTURE } from "~/classifier/model";
import type { ColourMode } from "~/classifier/runtime";
import { readCheckpoint, writeCheckpoint } from "./checkpoint";
import { loadDataset } from "./dataset";
import { secs, trainModel } from "./training";

const { values: args } = parseArgs({
  options: {
    data: { type: "string" },
    out: { type: "string" },
    colour: { type: "string", default: "rgb" },
    size: { type: "string", default: String(DEFAULT_ARCHITECTURE.inputSize) },
    epochs: { type: "string", default: "22" },
    patience: { type: "string", default: "7" },
    batch: { type: "string", default: "32" },
    seed: { type: "string", default: "1" },
    "colour-jitter": { type: "string", default: "0.3" },
    "stain-jitter": { type: "string", default: "0.15" },
    /** Shift the raw photo's colours before normalisation in half the re-captures (0: never). */
    "capture-jitter": { type: "string", default: "0" },
    /** The red-cell measure's error the training views are normalised with (±, a share). */
    "scale-error": { type: "string", default: "0.08" },
    /** Start from a trained model folder's weights (fine-tuning) instead of random ones. */
    init: { type: "string" },
    "learning-rate": { type: "string", default: "0.001" },
    /** Extra weight on −log(1 − P(benign)) for leukaemic tiles (`Recipe.benignPenalty`). */
    "benign-penalty": { type: "string", default: "0" },
    /**
     * Keep a checkpoint here after every epoch and resume from it when it exists, so a long run
     * can be stopped and continued (outside the repository, or under the ignored tmp/).
     */
    checkpoint: { type: "string" },
  },
});
if (!args.data || !args.out) {
  console.error("usage: npm run train -- --data <dataset dir> --out public/models/<version>");
  process.exit(2);
}
const colour = args.colour as ColourMode;

await startWasmBackend();
const started = Date.now();
const samples = await loadDataset(args.data);
const train = samples.filter((s) => s.split === "train");
const validation = samples.filter((s) => s.split === "validation");
log({ event: "data", train: train.length, validation: validation.length, seconds: secs(started) });

const checkpointDir = args.checkpoint;
const resumeFrom = checkpointDir ? await readCheckpoint(checkpointDir) : undefined;
if (resumeFrom) log({ event: "resumed", afterEpoch: resumeFrom.epoch, from: checkpointDir });

const { bestEpoch, weightBytes } = await trainModel(
  samples,
  args.out,
  {
    colour,
    size: Number(args.size),
    epochs: Number(args.epochs),
    patience: Number(args.patience),
    batchSize: Number(args.batch),
    seed: Number(args.seed),
    jitter: {
      colour: Number(args["colour-jitter"]),
      stain: Number(args["stain-jitter"]),
      capture: Number(args["capture-jitter"]),
      scale: Number(args["scale-error"]),
    },
    learningRate: Number(args["learning-rate"]),
    init: args.init,
    benignPenalty: Number(args["benign-penalty"]),
  },
  {
    log,
    startedAt: started,
    resumeFrom,
    checkpoint: checkpointDir ? (state) => writeCheckpoint(checkpointDir, state) : undefined,
  },
);
log({ event: "saved", out: args.out, bestEpoch, weightBytes, seconds: secs(started) });
// Loaded after training so a long run never waits on them; both can be re-run alone
// (`npm run eval -- --calibrate --write`), so a failure here keeps the trained weights.
try {
  const { calibrate } = await import("./calibrate");
  await calibrate(args.out, samples, colour);
  const { evaluateToCard } = await import("./evaluate");
  await evaluateToCard(args.out, args.data, samples);
} catch (error) {
  log({ event: "card-failed", error: String(error) });
  process.exitCode = 1;
}

function log(row: object) {
  console.log(JSON.stringify(row));
}
