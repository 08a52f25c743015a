/**
 * The one training loop, shared by `npm run train` and the model lab's jobs: balanced class
 * sampling, re-captured and normalised training views, batch-norm re-estimation, validation under
 * re-captures and colour shifts each epoch, best-epoch selection and early stopping. The caller
 * loads the data, says where to log, and may watch batches, stop between them, and keep a
 * checkpoint after each epoch to resume from.
 */
import fs from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { CLASS_IDS } from "~/classifier/classes";
import { applyColourShift, randomShift } from "~/classifier/colour";
import { toModelInput } from "~/classifier/classify";
import { normaliseCapture } from "~/classifier/capture";
import { loadModel, saveModel } from "~/classifier/files.server";
import type { RgbImage } from "~/classifier/pixels";
import { buildModel, DEFAULT_ARCHITECTURE, type Architecture } from "~/classifier/model";
import type { ColourMode } from "~/classifier/runtime";
import { augment } from "./augment";
import type { Sample } from "./dataset";
import { mulberry32, shuffle } from "./random";
import { cropTop, EVAL_EYEPIECE, eyepiece, randomRecapture, rescale } from "./recapture";

export type Recipe = {
  colour: ColourMode;
  size: number;
  /** Convolution widths per block (the project's architecture by default). */
  widths?: number[];
  epochs: number;
  patience: number;
  batchSize: number;
  seed: number;
  /**
   * Colour and stain jitter of the model's tiles; `capture`, when set, also shifts the raw
   * photo's colours (exposure, contrast, saturation, hue, with the clipping a brighter exposure
   * brings) before the capture normalisation, in half the re-captures, as a camera would.
   * `scale` is the red-cell measure's error the training views are normalised with (±8 % by
   * default): a wider one teaches the network the ruler's error under exposure changes.
   */
  jitter: { colour: number; stain: number; capture?: number; scale?: number };
  learningRate: number;
  /** A trained model folder whose weights start the run (fine-tuning). */
  init?: string;
  /**
   * Weight of an extra loss on leukaemic tiles, −log(1 − P(benign)) (0: plain cross-entropy).
   * It pushes down the leukaemic tiles' benign probability, the tail the selective-staging rule
   * is fitted to (`fitStagingRule`): a false reassurance costs more than a false alarm.
   */
  benignPenalty?: number;
};

/** The red-cell measure's error a training view is normalised with, by default (±8 %). */
export const SCALE_ERROR = 0.08;

export const DEFAULT_RECIPE: Recipe = {
  colour: "rgb",
  size: DEFAULT_ARCHITECTURE.inputSize,
  epochs: 22,
  patience: 7,
  batchSize: 32,
  seed: 1,
  jitter: { colour: 0.3, stain: 0.15 },
  learningRate: 0.001,
};

export type EpochRow = {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  validationShiftedAccuracy: number;
  validationStrongShiftAccuracy: number;
  validationEnlargedAccuracy: number;
  validationShrunkAccuracy: number;
  validationEyepieceAccuracy: number;
  seconds: number;
};

export type BatchRow = {
  epoch: number;
  batch: number;
  batches: number;
  batchSize: number;
  loss: number;
  accuracy: number;
  learningRate: number;
  imagesPerSecond: number;
};

/** What a run needs to go on after its process stopped: the state after `epoch`. */
export type Checkpoint = {
  epoch: number;
  curve: EpochRow[];
  best: { score: number; epoch: number };
  weights: tf.Tensor[];
  bestWeights: tf.Tensor[];
  optimizer: Awaited<ReturnType<tf.Optimizer["getWeights"]>>;
};

export type TrainingHooks = {
  /** One JSON-able row per event (data views ready, epoch, early stop). */
  log: (row: object) => unknown;
  onBatch?: (row: BatchRow) => unknown;
  /** Asked between batches: true ends the run (its best weights so far are saved). */
  shouldStop?: () => boolean | Promise<boolean>;
  /** Called after each epoch; the tensors are the caller's to read, not to keep. */
  checkpoint?: (state: Checkpoint) => Promise<void>;
  resumeFrom?: Checkpoint;
  /** When the run began (data loading included), for the training time it records. */
  startedAt?: number;
};

export type TrainingResult = {
  bestEpoch: number;
  weightBytes: number;
  stopped: boolean;
  curve: EpochRow[];
};

export async function trainModel(
  samples: Sample[],
  out: string,
  recipe: Recipe,
  hooks: TrainingHooks,
): Promise<TrainingResult> {
  const started = hooks.startedAt ?? Date.now();
  const { colour, size, epochs, batchSize, seed, jitter } = recipe;
  const penalty = recipe.benignPenalty ?? 0;
  const train = samples.filter((s) => s.split === "train");
  const validation = samples.filter((s) => s.split === "validation");
  const resume = hooks.resumeFrom;
  // A resumed run draws from a stream seeded by where it resumes (the stream of the first run
  // cannot be replayed without repeating its epochs).
  const random = mulberry32(resume ? seed + 1000 * resume.epoch : seed);
  const arch: Architecture = {
    ...DEFAULT_ARCHITECTURE,
    inputSize: size,
    ...(recipe.widths ? { widths: recipe.widths } : {}),
  };
  const model = buildModel(arch, seed);
  if (recipe.init) model.setWeights((await loadModel(recipe.init)).getWeights());
  const peakRate = recipe.learningRate;
  const optimizer = tf.train.adam(peakRate);
  if (resume) {
    model.setWeights(resume.weights);
    await optimizer.setWeights(resume.optimizer);
  }
  const per = size * size * 3;
  if (train.length < batchSize) {
    throw new Error(`${train.length} training images: fewer than one batch of ${batchSize}`);
  }

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
      const { image, factor, shifted } = randomRecapture(s.image, random, jitter.capture ?? 0);
      const error = 1 + (random() * 2 - 1) * (jitter.scale ?? SCALE_ERROR);
      const known = () => normaliseCapture(image, { redCellDiameter: s.diameter * factor * error });
      // A photo with shifted colours is measured as inference measures it: exposure moves the
      // red-cell measure (a clipped background swallows pale cell edges), and the network should
      // see the field at the scale the app will give it.
      const measured = shifted ? normaliseCapture(image) : undefined;
      const normalised = measured?.tiles.length ? measured : known();
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
        const next = pool.pop();
        if (next) order.push(next);
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
      inferenceView(
        eyepiece(cropTop(s.image, Math.floor(s.image.height * (6 / 7))), EVAL_EYEPIECE),
      ),
    ),
  };
  await hooks.log({ event: "validation-views", seconds: secs(started) });

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

  const curve: EpochRow[] = resume ? [...resume.curve] : [];
  // A resumed run's time includes the epochs it resumed after, so the card gives the whole run.
  const secondsBefore = resume ? resume.curve.reduce((sum, row) => sum + row.seconds, 0) : 0;
  let best = resume
    ? { ...resume.best, weights: resume.bestWeights.map((w) => w.clone()) }
    : { score: -Infinity, epoch: 0, weights: [] as tf.Tensor[] };
  let stopped = false;
  const writeTraining = () =>
    fs.writeFile(
      path.join(out, "training.json"),
      JSON.stringify(
        {
          architecture: arch,
          colour,
          seed,
          batchSize,
          initialisedFrom: recipe.init ? path.basename(path.resolve(recipe.init)) : null,
          ...(penalty > 0 ? { benignPenalty: penalty } : {}),
          augmentation: {
            recapture:
              "40 % as is, 25 % rescaled ×0.65–2.4, 25 % through a simulated eyepiece (×1.4–2.8, stop, vignetting, warm cast, blur), 10 % colour cast; then the capture normalisation at the known red-cell diameter ±8 %; each sample keeps its last 4 normalised re-captures and draws a fresh one 35 % of the time",
            flipsAndRotations: true,
            colourJitter: jitter.colour,
            stainJitter: jitter.stain,
            ...(jitter.capture
              ? {
                  captureColourJitter: `half the re-captures: brightness, contrast and saturation ×(1 ± ${jitter.capture}), hue ± ${Math.round(jitter.capture * 100)}°, on the photo before normalisation, which then measures the red cells itself`,
                }
              : {}),
          },
          optimizer: `Adam, cosine learning rate ${peakRate} → ${peakRate / 10}, balanced class sampling`,
          bestEpoch: best.epoch,
          trainingSeconds: Math.round((secs(started) + secondsBefore) * 10) / 10,
          weightBytes: model.getWeights().reduce((a, w) => a + w.size * 2, 0),
          parameters: model.countParams(),
          learningCurve: curve,
        },
        null,
        2,
      ) + "\n",
    );

  for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= epochs && !stopped; epoch++) {
    const t0 = Date.now();
    const learningRate =
      peakRate / 10 +
      0.5 * (peakRate - peakRate / 10) * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs));
    (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    const order = balancedOrder();
    const batches = Math.floor(order.length / batchSize);
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let i = 0; i + batchSize <= order.length; i += batchSize) {
      if (await hooks.shouldStop?.()) {
        stopped = true;
        break;
      }
      const batch = order.slice(i, i + batchSize);
      const { x, y } = batchTensors(batch, trainingView);
      let predicted: tf.Tensor | undefined;
      const loss = optimizer.minimize(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor;
        predicted = tf.keep(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)).sum());
        const crossEntropy = tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        return penalty > 0 ? crossEntropy.add(benignLoss(logits, y).mul(penalty)) : crossEntropy;
      }, true)!;
      const batchLoss = loss.dataSync()[0]!;
      const batchCorrect = predicted!.dataSync()[0]!;
      lossSum += batchLoss * batch.length;
      correct += batchCorrect;
      seen += batch.length;
      tf.dispose([loss, predicted!, x, y]);
      await hooks.onBatch?.({
        epoch,
        batch: i / batchSize + 1,
        batches,
        batchSize,
        loss: round(batchLoss),
        accuracy: round(batchCorrect / batch.length),
        learningRate,
        imagesPerSecond: Math.round((seen / Math.max(Date.now() - t0, 1)) * 10000) / 10,
      });
    }
    if (stopped) break;
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
    const row: EpochRow = {
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
    await hooks.log({ event: "epoch", ...row });
    let earlyStop = false;
    if (score > best.score) {
      tf.dispose(best.weights);
      best = { score, epoch, weights: model.getWeights().map((w) => w.clone()) };
      // Checkpoint the best weights so far: a long run can be stopped and still leave a model.
      await saveModel(model, out);
      await writeTraining();
    } else if (epoch - best.epoch >= recipe.patience) {
      await hooks.log({ event: "early-stop", epoch, best: best.epoch });
      earlyStop = true;
    }
    await hooks.checkpoint?.({
      epoch,
      curve,
      best: { score: best.score, epoch: best.epoch },
      weights: model.getWeights(),
      bestWeights: best.weights,
      optimizer: await optimizer.getWeights(),
    });
    if (earlyStop) break;
  }
  if (best.weights.length === 0) {
    return { bestEpoch: 0, weightBytes: 0, stopped, curve };
  }
  model.setWeights(best.weights);
  const weightBytes = await saveModel(model, out);
  await writeTraining();
  tf.dispose(best.weights);
  return { bestEpoch: best.epoch, weightBytes, stopped, curve };
}

export function secs(since: number) {
  return Math.round((Date.now() - since) / 100) / 10;
}
function round(v: number) {
  return Math.round(v * 10000) / 10000;
}

/**
 * The mean over a batch of −log(1 − P(benign)) on its leukaemic rows (zero on benign rows):
 * log(1 − P(benign)) is the log-sum-exp of the leukaemic logits minus that of all logits.
 */
export function benignLoss(logits: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[1]!;
    const leukaemic = tf.sub(1, oneHot.slice([0, 0], [-1, 1]).squeeze([1]));
    const notBenign = tf.logSumExp(logits.slice([0, 1], [-1, classes - 1]), 1);
    const all = tf.logSumExp(logits, 1);
    return tf.sub(all, notBenign).mul(leukaemic).mean() as tf.Scalar;
  });
}
