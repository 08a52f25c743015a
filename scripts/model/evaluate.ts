/**
 * Measure a model folder on one split and write (or check) its model card:
 * accuracy, per-class precision / recall / F1, confusion matrix, calibration (ECE),
 * robustness probes (corner painted over, colour jitter), the "can't assess" rates.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { CLASS_IDS } from "~/classifier/classes";
import { classifyPixels, softmax } from "~/classifier/classify";
import { applyColourShift, randomShift } from "~/classifier/colour";
import { decodeImage } from "~/classifier/decode.server";
import { loadRuntime } from "~/classifier/files.server";
import { modelPixels, type RgbImage } from "~/classifier/pixels";
import { DEFAULT_SPLIT, splitSizes, type Sample, type Split } from "./dataset";
import { openFolder, outputs } from "./features";
import { generateNonSmears } from "./non-smear";
import { mulberry32 } from "./random";

export const DATASET_CITATION = {
  name: "Acute Lymphoblastic Leukemia (ALL) image dataset",
  authors:
    "Mehrad Aria, Mustafa Ghaderzadeh, Davood Bashash, Hassan Abolghasemi, Farkhondeh Asadi, Azamossadat Hosseini",
  source: "Kaggle (2021)",
  doi: "10.34740/KAGGLE/DSV/2175623",
  paper:
    'Ghaderzadeh M. et al., "A fast and efficient CNN model for B-ALL diagnosis and its subtypes classification using peripheral blood smear images", Int J Intell Syst 2022;37:5113–5133, doi:10.1002/int.22753',
  description:
    "224×224 Wright-Giemsa stained peripheral blood smear fields from Taleqani Hospital (Tehran), 89 patients (25 benign, 64 ALL)",
};

export const INTENDED_USE =
  "Informational; not a diagnosis; for stained peripheral blood smear images at the magnification of the training data. A hematologist must confirm any result.";

export const KNOWN_LIMITS = [
  "Single hospital, single staining protocol and microscope: other labs' colours and optics may lower accuracy.",
  "No patient-level split is possible (no patient IDs): blocks of consecutive file numbers approximate it; accuracy on new patients may be lower.",
  "Adult / child mix of the patients is unknown.",
  "Four classes only: other leukemias, lymphomas and reactive conditions are outside what the model knows.",
  "Heat-maps (class activation maps) show where the evidence for the top class lies, not what a cell is.",
];

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Expected calibration error over 10 equal-width confidence bins. */
export function expectedCalibrationError(
  probabilities: number[][],
  labels: number[],
  bins = 10,
): number {
  const count = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  probabilities.forEach((p, i) => {
    const top = Math.max(...p);
    const bin = Math.min(bins - 1, Math.floor(top * bins));
    count[bin]! += 1;
    confidence[bin]! += top;
    correct[bin]! += p.indexOf(top) === labels[i] ? 1 : 0;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b])
      ece +=
        (count[b]! / labels.length) *
        Math.abs(confidence[b]! / count[b]! - correct[b]! / count[b]!);
  }
  return ece;
}

export function classificationMetrics(predicted: number[], labels: number[]) {
  const k = CLASS_IDS.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  predicted.forEach((p, i) => (confusion[labels[i]!]![p]! += 1));
  const perClass = Object.fromEntries(
    CLASS_IDS.map((id, c) => {
      const tp = confusion[c]![c]!;
      const actual = confusion[c]!.reduce((a, b) => a + b, 0);
      const called = confusion.reduce((a, row) => a + row[c]!, 0);
      const precision = called ? tp / called : 0;
      const recall = actual ? tp / actual : 0;
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
      return [
        id,
        { precision: round(precision), recall: round(recall), f1: round(f1), support: actual },
      ];
    }),
  );
  const accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
  return {
    accuracy: round(accuracy),
    perClass,
    confusionMatrix: {
      rows: "true class",
      columns: "predicted class",
      order: CLASS_IDS,
      values: confusion,
    },
  };
}

const argmax = (values: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
};

/** Paint the bottom-right corner (where the scale bar sits) with a colour. */
function paintCorner(image: RgbImage, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(image.data);
  const w = Math.round(image.width * 0.32);
  const h = Math.round(image.height * 0.14);
  for (let y = image.height - h; y < image.height; y++) {
    for (let x = image.width - w; x < image.width; x++) data.set(rgb, (y * image.width + x) * 3);
  }
  return { ...image, data };
}

export async function measure(dir: string, dataDir: string, samples: Sample[], split: Split) {
  const runtime = await loadRuntime(dir);
  const c = await openFolder(dir, runtime);
  const size = runtime.inputSize;
  const set = samples.filter((s) => s.split === split);
  const labels = set.map((s) => s.label);

  const clean = outputs(
    c,
    set.map((s) => s.pixels),
  );
  const predicted = clean.map((o) => argmax(o.logits));
  const raw = clean.map((o) => softmax(o.logits, 1));
  const calibrated = clean.map((o) => softmax(o.logits, runtime.temperature));

  const jitterRandom = mulberry32(1010);
  const jittered = outputs(
    c,
    set.map((s) =>
      applyColourShift(s.pixels, randomShift(jitterRandom, 0.1), new Uint8Array(s.pixels.length)),
    ),
  ).map((o) => argmax(o.logits));
  const strongRandom = mulberry32(2020);
  const strong = outputs(
    c,
    set.map((s) =>
      applyColourShift(s.pixels, randomShift(strongRandom, 0.25), new Uint8Array(s.pixels.length)),
    ),
  ).map((o) => argmax(o.logits));

  // Full pipeline from the decoded file: the verdict on real smears, and the corner probe.
  let refused = 0;
  let cornerFlips = 0;
  const paints: [number, number, number][] = [
    [0, 0, 0],
    [255, 255, 255],
    [255, 0, 0],
  ];
  for (const [i, sample] of set.entries()) {
    const image = await decodeImage(await fs.readFile(path.join(dataDir, sample.file)));
    if (classifyPixels(c, image).classification.verdict === "cant_assess") refused++;
    const painted = paints.map((rgb) => modelPixels(paintCorner(image, rgb), size));
    const flips = outputs(c, painted).some((o) => argmax(o.logits) !== predicted[i]);
    if (flips) cornerFlips++;
  }

  const generated = await generateNonSmears();
  let nonSmearRefused = 0;
  const missed: string[] = [];
  for (const g of generated) {
    const verdict = classifyPixels(c, await decodeImage(g.bytes)).classification.verdict;
    if (verdict === "cant_assess") nonSmearRefused++;
    else missed.push(g.name);
  }

  const accuracyOf = (p: number[]) =>
    round(p.filter((v, i) => v === labels[i]).length / labels.length);
  const flipRate = (p: number[]) =>
    round(p.filter((v, i) => v !== predicted[i]).length / labels.length);
  return {
    split,
    images: set.length,
    ...classificationMetrics(predicted, labels),
    calibration: {
      temperature: runtime.temperature,
      eceBeforeScaling: round(expectedCalibrationError(raw, labels)),
      eceAfterScaling: round(expectedCalibrationError(calibrated, labels)),
      bins: 10,
    },
    robustness: {
      cornerProbeFlipRate: round(cornerFlips / set.length),
      cornerProbe:
        "the scale-bar corner (bottom-right 32% × 14% of the image, 72 × 31 px at 224 px) painted black, white or red; a flip is any change of the top class",
      colourJitterFlipRate: flipRate(jittered),
      colourJitter:
        "brightness, contrast and saturation ×(1 ± 0.1), hue ± 10°, uniform per image, seeded",
      accuracyUnderColourJitter: accuracyOf(jittered),
      accuracyUnderStrongColourShift: accuracyOf(strong),
      strongColourShift: "brightness, contrast and saturation ×(1 ± 0.25), hue ± 25°",
    },
    inputVerdict: {
      cantAssessRateOnRealSmears: round(refused / set.length),
      generatedNonSmearImages: generated.length,
      nonSmearRefusalRate: round(nonSmearRefused / generated.length),
      nonSmearAccepted: missed,
    },
  };
}

type Training = {
  architecture: { inputSize: number; widths: number[]; dropout: number };
  colour: string;
  parameters: number;
  weightBytes: number;
  trainingSeconds: number;
  bestEpoch: number;
  learningCurve: object[];
  augmentation: object;
  optimizer: string;
  seed: number;
};

export async function buildCard(dir: string, dataDir: string, samples: Sample[]) {
  const training = JSON.parse(
    await fs.readFile(path.join(dir, "training.json"), "utf8"),
  ) as Training;
  const runtime = await loadRuntime(dir);
  const test = await measure(dir, dataDir, samples, "test");
  const { widths, inputSize, dropout } = training.architecture;
  return {
    version: runtime.version,
    date: new Date().toISOString().slice(0, 10),
    classes: CLASS_IDS,
    outputOrder: "logits in the order of `classes`; probabilities = softmax(logits / temperature)",
    architecture: `CNN: ${widths.length} blocks of conv3×3 (${widths.join("-")} filters) + batch-norm + ReLU + max-pool, conv1×1 (${widths.at(-1)}) + batch-norm + ReLU, global average pooling, dropout ${dropout}, dense ${CLASS_IDS.length}`,
    inputSize,
    preprocessing:
      "decode → orient (EXIF) → drop the bottom seventh (scale bar) and take the centred square → area-average resize → " +
      (runtime.colour === "luma" ? "grey (luma) → " : "") +
      "per-image, per-channel standardisation" +
      (runtime.tta
        ? "; at inference the logits are averaged over the 8 flips and 90° rotations"
        : ""),
    parameters: training.parameters,
    weightBytes: training.weightBytes,
    weightFormat: "float16 (tfjs weights manifest)",
    trainingData: {
      ...DATASET_CITATION,
      split: {
        method: `blocks of ${DEFAULT_SPLIT.blockSize} consecutive file numbers per class, seeded (${DEFAULT_SPLIT.seed}); exact duplicates follow their original`,
        fractions: DEFAULT_SPLIT.fractions,
        sizes: splitSizes(samples),
      },
    },
    training: {
      seed: training.seed,
      optimizer: training.optimizer,
      augmentation: training.augmentation,
      bestEpoch: training.bestEpoch,
      trainingMinutes: round(training.trainingSeconds / 60, 1),
      hardware: "2-core CPU, TensorFlow.js WebAssembly backend, one thread",
      learningCurve: training.learningCurve,
    },
    metrics: test,
    inputVerdict: {
      method:
        "Refused when any check fails: too small (< 64 px), too dark / over-exposed, no detail, drawn or blurred (luma contrast, fraction of perfectly flat pixels, mean |Laplacian|), stain colour ((R+B)/2 − G) outside the range of colour-shifted training smears, or pooled-feature distance to the nearest class mean (standardised) above the 99.5th percentile of validation smears × 1.1.",
      limits: runtime.checks,
      maxFeatureDistance: runtime.ood.maxDistance,
    },
    intendedUse: INTENDED_USE,
    knownLimits: KNOWN_LIMITS,
  };
}

export async function evaluateToCard(dir: string, dataDir: string, samples: Sample[]) {
  const card = await buildCard(dir, dataDir, samples);
  await fs.writeFile(path.join(dir, "model-card.json"), JSON.stringify(card, null, 2) + "\n");
  console.log(JSON.stringify({ event: "card", metrics: card.metrics }));
  return card;
}
