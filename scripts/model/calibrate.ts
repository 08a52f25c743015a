/**
 * Fit what sits around the network, on the training and validation splits only: the softmax
 * temperature (validation NLL), the out-of-distribution distance, the image-check limits and
 * the focus limit. Validation is seen as inference sees it: measured and normalised, as is and
 * re-captured (enlarged, shrunk, through an eyepiece), so the limits accept every capture the
 * model is validated for. Writes runtime.json into the model folder.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { featureDistance } from "~/classifier/checks";
import {
  analyseCapture,
  DEFAULT_SMEAR_CHECK,
  DEFAULT_STAGING,
  softmax,
} from "~/classifier/classify";
import { applyColourShift, randomShift } from "~/classifier/colour";
import type { RgbImage } from "~/classifier/pixels";
import type { ColourMode, RuntimeConfig } from "~/classifier/runtime";
import type { Sample } from "./dataset";
import { openFolder, outputs, quantile } from "./features";
import { mulberry32 } from "./random";
import { cropTop, eyepiece, rescale } from "./recapture";

/** Real smears vary in colour more than this dataset: class statistics include shifted copies. */
export const CALIBRATION_SHIFT = 0.25;

/** Re-captures seen by calibration (not the evaluation's own parameters). */
export const CALIBRATION_RECAPTURES: Record<string, (image: RgbImage) => RgbImage> = {
  "as is": (image) => image,
  "enlarged 1.8×": (image) => rescale(image, 1.8),
  "shrunk 0.8×": (image) => rescale(image, 0.8),
  eyepiece: (image) =>
    eyepiece(cropTop(image, Math.floor(image.height * (6 / 7))), {
      enlarge: 2,
      stop: 1.05,
      vignetting: 0.25,
      gains: [1.08, 1, 0.86],
      blur: 1.2,
    }),
};

export function negativeLogLikelihood(logits: Float32Array[], labels: number[], t: number): number {
  let total = 0;
  logits.forEach((l, i) => (total -= Math.log(Math.max(softmax(l, t)[labels[i]!]!, 1e-12))));
  return total / logits.length;
}

export function fitTemperature(logits: Float32Array[], labels: number[]): number {
  let best = { t: 1, nll: Infinity };
  for (let t = 0.3; t <= 5; t += 0.01) {
    const nll = negativeLogLikelihood(logits, labels, t);
    if (nll < best.nll) best = { t: Math.round(t * 100) / 100, nll };
  }
  return best.t;
}

export async function calibrate(
  dir: string,
  samples: Sample[],
  colour: ColourMode,
  options: { tta?: boolean } = {},
): Promise<RuntimeConfig> {
  const training = JSON.parse(await fs.readFile(path.join(dir, "training.json"), "utf8")) as {
    architecture: { inputSize: number };
  };
  const size = training.architecture.inputSize;
  const version = path.basename(path.resolve(dir));
  const provisional: RuntimeConfig = {
    version,
    inputSize: size,
    colour,
    tta: options.tta ?? false,
    temperature: 1,
    ood: { classMeans: [], featureStd: [], maxDistance: Infinity },
    smear: { ...DEFAULT_SMEAR_CHECK, minFocus: 0 },
    staging: DEFAULT_STAGING,
    checks: {
      minStain: -Infinity,
      maxStain: Infinity,
      minSharpness: 0,
      minContrast: 0,
      minBrightness: 0,
      maxBrightness: 255,
      maxFlatFraction: 1,
    },
  };
  const c = await openFolder(dir, provisional);
  const random = mulberry32(4242);
  const shifted = (s: Sample) =>
    applyColourShift(
      s.pixels,
      randomShift(random, CALIBRATION_SHIFT),
      new Uint8Array(s.pixels.length),
    );
  const train = samples.filter((s) => s.split === "train");
  const validation = samples.filter((s) => s.split === "validation");

  const trainOut = outputs(c, [...train.map((s) => s.pixels), ...train.map(shifted)]);
  const trainLabels = [...train, ...train].map((s) => s.label);
  const dims = trainOut[0]!.pooled.length;
  const classMeans = [0, 1, 2, 3].map((label) => {
    const members = trainOut.filter((_, i) => trainLabels[i] === label);
    return Array.from(
      { length: dims },
      (_, k) => members.reduce((a, o) => a + o.pooled[k]!, 0) / members.length,
    );
  });
  const featureStd = Array.from({ length: dims }, (_, k) => {
    const deviations = trainOut.map((o, i) => o.pooled[k]! - classMeans[trainLabels[i]!]![k]!);
    return Math.sqrt(deviations.reduce((a, d) => a + d * d, 0) / deviations.length) + 1e-3;
  });
  const withClasses: RuntimeConfig = {
    ...provisional,
    ood: { classMeans, featureStd, maxDistance: Infinity },
  };
  const cc = await openFolder(dir, withClasses);

  const logits: Float32Array[] = [];
  const tileLogits: Float32Array[][] = [];
  const labels: number[] = [];
  const distances: number[] = [];
  const focus: number[] = [];
  for (const recapture of Object.values(CALIBRATION_RECAPTURES)) {
    for (const s of validation) {
      const analysed = analyseCapture(cc, recapture(s.image));
      logits.push(analysed.logits);
      tileLogits.push(analysed.outputs.map((o) => o.logits));
      labels.push(s.label);
      distances.push(analysed.distance);
      focus.push(analysed.capture.measures.focus);
    }
  }
  const temperature = fitTemperature(logits, labels);
  const staging = fitStagingRule(
    logits.map((l) => softmax(l, temperature)[0]!),
    tileLogits.map((tiles) => tiles.map((l) => softmax(l, temperature)[0]!)),
    labels,
  );
  const stats = trainOut.slice(0, train.length).map((o) => o.stats);
  const pick = (key: keyof (typeof stats)[number], q: number) =>
    quantile(
      stats.map((s) => s[key]),
      q,
    );
  const runtime: RuntimeConfig = {
    ...withClasses,
    temperature,
    staging,
    ood: { classMeans, featureStd, maxDistance: quantile(distances, 0.995) * 1.1 },
    smear: { ...DEFAULT_SMEAR_CHECK, minFocus: quantile(focus, 0.005) * 0.6 },
    checks: {
      ...provisional.checks,
      minContrast: pick("contrast", 0.001) * 0.5,
      maxFlatFraction: Math.min(0.9, pick("flatFraction", 0.999) * 1.5 + 0.05),
    },
  };
  void featureDistance;
  await fs.writeFile(path.join(dir, "runtime.json"), JSON.stringify(runtime, roundNumbers) + "\n");
  console.log(
    JSON.stringify({
      event: "calibrated",
      temperature,
      staging,
      maxDistance: runtime.ood.maxDistance,
      smear: runtime.smear,
      checks: runtime.checks,
    }),
  );
  return runtime;
}

/** Benign cut-offs tried, least strict first (overall probability, then every tile's). */
export const BENIGN_GRID: [number, number][] = [0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999].flatMap(
  (overall) => [0.6, 0.8, 0.9].map((tile) => [overall, tile] as [number, number]),
);

/**
 * The selective-staging rule of a model, fitted on the validation smears as is and re-captured:
 * the least strict benign cut-offs of `BENIGN_GRID` under which no leukaemic smear would be
 * staged benign (the strictest when none is clean). A leukaemia stage keeps its fixed
 * threshold: a false alarm there costs a consultation, not a missed leukaemia.
 */
export function fitStagingRule(
  benign: number[],
  tileBenign: number[][],
  labels: number[],
): RuntimeConfig["staging"] & object {
  const leukaemic = labels.map((l, i) => (l !== 0 ? i : -1)).filter((i) => i >= 0);
  const fits = ([overall, tile]: [number, number]) =>
    leukaemic.every(
      (i) => !(benign[i]! >= 0.5 && benign[i]! >= overall && Math.min(...tileBenign[i]!) >= tile),
    );
  const [benignMin, benignTileMin] = BENIGN_GRID.find(fits) ?? BENIGN_GRID[BENIGN_GRID.length - 1]!;
  return { benignMin, benignTileMin, malignantMin: DEFAULT_STAGING.malignantMin };
}

function roundNumbers(_key: string, value: unknown) {
  return typeof value === "number" && Number.isFinite(value)
    ? Math.round(value * 1e5) / 1e5
    : value;
}
