/**
 * Train the staging CNN on the wasm backend:
 *   npm run train -- --data <dataset dir> --out public/models/<version> [--colour rgb|luma]
 *     [--size 128] [--epochs 22] [--seed 1]
 * Logs one JSON line per epoch; writes the model, the learning curve, then calibrates and
 * evaluates (runtime.json and model-card.json).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { CLASS_IDS } from "~/classifier/classes";
import { applyColourShift, randomShift } from "~/classifier/colour";
import { toModelInput } from "~/classifier/classify";
import { normaliseCapture } from "~/classifier/capture";
import { loadModel, saveModel } from "~/classifier/files.server";
import type { RgbImage } from "~/classifier/pixels";
import { buildModel, DEFAULT_ARCHITECTURE } from "~/classifier/model";
import type { ColourMode } from "~/classifier/runtime";
import { augment } from "./augment";
import { loadDataset, type Sample } from "./dataset";
import { mulberry32, shuffle } from "./random";
import { cropTop, EVAL_EYEPIECE, eyepiece, randomRecapture, rescale } from "./recapture";

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
    /** Start from a trained model folder's weights (fine-tuning) instead of random ones. */
    init: { type: "string" },
    "learning-rate": { type: "string", default: "0.001" },
  },
});
if (!args.data || !args.out) {
  console.error("usage: npm run train -- --data <dataset dir> --out public/models/<version>");
  process.exit(2);
}
const colour = args.colour as ColourMode;
const size = Number(args.size);
const epochs = Number(args.epochs);
const batchSize = Number(args.batch);
const seed = Number(args.seed);
const jitter = { colour: Number(args["colour-jitter"]), stain: Number(args["stain-jitter"]) };

await startWasmBackend();
const started = Date.now();
const samples = await loadDataset(args.data);
const train = samples.filter((s) => s.split === "train");
const validation = samples.filter((s) => s.split === "validation");
log({ event: "data", train: train.length, validation: validation.length, seconds: secs(started) });

const random = mulberry32(seed);
const arch = { ...DEFAULT_ARCHITECTURE, inputSize: size };
const model = buildModel(arch, seed);
if (args.init) model.setWeights((await loadModel(args.init)).getWeights());
const peakRate = Number(args["learning-rate"]);
const optimizer = tf.train.adam(peakRate);
const per = size * size * 3;

function batchTensors(batch: Sample[], pixels: (s: Sample) => Uint8Array) {
  const x = new Float32Array(per * batch.length);
  batch.forEach((s, i) => toModelInput(pixels(s), colour, x, i * per));
  const y = new Float32Array(batch.length * CLASS_IDS.length);
  batch.forEach((s, i) => (y[i * CLASS_IDS.length + s.label] = 1));
  return {
    x: tf.tensor4d(x, [batch.length, size, size, 3]),
    y: tf.tensor2d(y, [batch.length, CLASS_IDS.length]),
  };
}

/**
 * A training view of a sample: a random re-capture (as is, rescaled, through an eyepiece, or
 * colour-cast), normalised by the same code as at inference (at the sample's red-cell diameter
 * times the re-capture's factor, with the measuring error of ±8 %), then a random usable tile.
 * Re-capturing and normalising costs ~90 ms a view, twice the training step, so each sample
 * keeps its last few normalised re-captures and draws a fresh one a third of the time; the
 * tile, flips, rotations and colour jitter are drawn anew every time.
 */
const FRESH_VIEW = 0.35;
const KEPT_VIEWS = 4;
const keptViews = new Map<Sample, Uint8Array[][]>();
function trainingView(s: Sample): Uint8Array {
  const kept = keptViews.get(s) ?? [];
  let tiles: Uint8Array[];
  if (kept.length === 0 || random() < FRESH_VIEW) {
    const { image, factor } = randomRecapture(s.image, random);
    const error = 1 + (random() * 2 - 1) * 0.08;
    const normalised = normaliseCapture(image, { redCellDiameter: s.diameter * factor * error });
    tiles = normalised.tiles.map((t) => t.pixels);
    if (kept.length < KEPT_VIEWS) kept.push(tiles);
    else kept[Math.floor(random() * KEPT_VIEWS)] = tiles;
    keptViews.set(s, kept);
  } else {
    tiles = kept[Math.floor(random() * kept.length)]!;
  }
  return augment(tiles[Math.floor(random() * tiles.length)]!, size, random, jitter);
}

/** Validation as inference sees it: measured, normalised, the most nucleus-rich tile. */
function inferenceView(image: RgbImage): Uint8Array {
  return normaliseCapture(image).tiles[0]!.pixels;
}

/** Each epoch sees every class equally often (the rarer classes are repeated). */
function balancedOrder(): Sample[] {
  const byClass = CLASS_IDS.map((_, c) => train.filter((s) => s.label === c));
  const quota = Math.ceil(train.length / CLASS_IDS.length);
  const order: Sample[] = [];
  for (const members of byClass) {
    let pool: Sample[] = [];
    for (let i = 0; i < quota; i++) {
      if (pool.length === 0) pool = shuffle([...members], random);
      order.push(pool.pop()!);
    }
  }
  return shuffle(order, random);
}

/** Re-estimate batch-norm statistics on clean training batches (see docs/model.md). */
function recomputeBatchNorm() {
  const clean = shuffle([...train], mulberry32(seed + 7)).slice(0, 64 * 30);
  for (let i = 0; i < clean.length; i += 64) {
    const { x, y } = batchTensors(clean.slice(i, i + 64), (s) => s.pixels);
    tf.tidy(() => {
      model.apply(x, { training: true });
    });
    x.dispose();
    y.dispose();
  }
}

const views = {
  clean: validation.map((s) => inferenceView(s.image)),
  enlarged: validation.map((s) => inferenceView(rescale(s.image, 2))),
  shrunk: validation.map((s) => inferenceView(rescale(s.image, 0.75))),
  eyepiece: validation.map((s) =>
    inferenceView(eyepiece(cropTop(s.image, Math.floor(s.image.height * (6 / 7))), EVAL_EYEPIECE)),
  ),
};
log({ event: "validation-views", seconds: secs(started) });

function measure(set: Sample[], shiftAmount: number, view: Uint8Array[] = views.clean) {
  const shiftRandom = mulberry32(seed + 99);
  const index = new Map(validation.map((s, i) => [s, i]));
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < set.length; i += 64) {
    const batch = set.slice(i, i + 64);
    const { x, y } = batchTensors(batch, (s) => {
      const pixels = view[index.get(s)!]!;
      return shiftAmount
        ? applyColourShift(pixels, randomShift(shiftRandom, shiftAmount), new Uint8Array(per))
        : pixels;
    });
    const [l, c] = tf.tidy(() => {
      const logits = model.predict(x) as tf.Tensor;
      return [
        tf.losses.softmaxCrossEntropy(y, logits).mul(batch.length).dataSync()[0]!,
        tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)).sum().dataSync()[0]!,
      ];
    });
    loss += l;
    correct += c;
    x.dispose();
    y.dispose();
  }
  return { loss: loss / set.length, accuracy: correct / set.length };
}

const curve: object[] = [];
let best = { score: -Infinity, epoch: 0, weights: [] as tf.Tensor[] };
for (let epoch = 1; epoch <= epochs; epoch++) {
  const t0 = Date.now();
  (optimizer as unknown as { learningRate: number }).learningRate =
    peakRate / 10 +
    0.5 * (peakRate - peakRate / 10) * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs));
  const order = balancedOrder();
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i + batchSize <= order.length; i += batchSize) {
    const batch = order.slice(i, i + batchSize);
    const { x, y } = batchTensors(batch, trainingView);
    let predicted: tf.Tensor | undefined;
    const loss = optimizer.minimize(() => {
      const logits = model.apply(x, { training: true }) as tf.Tensor;
      predicted = tf.keep(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)).sum());
      return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    }, true)!;
    lossSum += loss.dataSync()[0]! * batch.length;
    correct += predicted!.dataSync()[0]!;
    tf.dispose([loss, predicted!, x, y]);
  }
  const seen = Math.floor(order.length / batchSize) * batchSize;
  recomputeBatchNorm();
  const clean = measure(validation, 0);
  const shifted = measure(validation, 0.1);
  const strong = measure(validation, 0.25);
  const enlarged = measure(validation, 0, views.enlarged);
  const shrunk = measure(validation, 0, views.shrunk);
  const ocular = measure(validation, 0, views.eyepiece);
  const score =
    clean.accuracy +
    shifted.accuracy +
    strong.accuracy +
    enlarged.accuracy +
    shrunk.accuracy +
    ocular.accuracy -
    0.1 * clean.loss;
  const row = {
    epoch,
    trainLoss: round(lossSum / seen),
    trainAccuracy: round(correct / seen),
    validationLoss: round(clean.loss),
    validationAccuracy: round(clean.accuracy),
    validationShiftedAccuracy: round(shifted.accuracy),
    validationStrongShiftAccuracy: round(strong.accuracy),
    validationEnlargedAccuracy: round(enlarged.accuracy),
    validationShrunkAccuracy: round(shrunk.accuracy),
    validationEyepieceAccuracy: round(ocular.accuracy),
    seconds: secs(t0),
  };
  curve.push(row);
  log({ event: "epoch", ...row });
  if (score > best.score) {
    tf.dispose(best.weights);
    best = { score, epoch, weights: model.getWeights().map((w) => w.clone()) };
    // Checkpoint the best weights so far: a long run can be stopped and still leave a model.
    await saveModel(model, args.out);
    await writeTraining();
  } else if (epoch - best.epoch >= Number(args.patience)) {
    log({ event: "early-stop", epoch, best: best.epoch });
    break;
  }
}
model.setWeights(best.weights);
const weightBytes = await saveModel(model, args.out);
const trainingSeconds = secs(started);
await writeTraining();

async function writeTraining() {
  await fs.writeFile(
    path.join(args.out!, "training.json"),
    JSON.stringify(
      {
        architecture: arch,
        colour,
        seed,
        batchSize,
        initialisedFrom: args.init ? path.basename(path.resolve(args.init)) : null,
        augmentation: {
          recapture:
            "40 % as is, 25 % rescaled ×0.65–2.4, 25 % through a simulated eyepiece (×1.4–2.8, stop, vignetting, warm cast, blur), 10 % colour cast; then the capture normalisation at the known red-cell diameter ±8 %; each sample keeps its last 4 normalised re-captures and draws a fresh one 35 % of the time",
          flipsAndRotations: true,
          colourJitter: jitter.colour,
          stainJitter: jitter.stain,
        },
        optimizer: `Adam, cosine learning rate ${peakRate} → ${peakRate / 10}, balanced class sampling`,
        bestEpoch: best.epoch,
        trainingSeconds: secs(started),
        weightBytes: model.getWeights().reduce((a, w) => a + w.size * 2, 0),
        parameters: model.countParams(),
        learningCurve: curve,
      },
      null,
      2,
    ) + "\n",
  );
}
log({
  event: "saved",
  out: args.out,
  bestEpoch: best.epoch,
  weightBytes,
  seconds: trainingSeconds,
});
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
function secs(since: number) {
  return Math.round((Date.now() - since) / 100) / 10;
}
function round(v: number) {
  return Math.round(v * 10000) / 10000;
}
