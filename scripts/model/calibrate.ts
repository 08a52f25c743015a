/**
 * Fit what sits around the network, on the training and validation splits only:
 * the softmax temperature (validation NLL), the out-of-distribution distance and the
 * image-check limits. Writes runtime.json into the model folder.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { featureDistance } from "~/classifier/checks";
import { applyColourShift, randomShift } from "~/classifier/colour";
import { softmax } from "~/classifier/classify";
import type { ColourMode, RuntimeConfig } from "~/classifier/runtime";
import type { Sample } from "./dataset";
import { openFolder, outputs, quantile } from "./features";
import { mulberry32 } from "./random";

/** Real smears vary in colour more than this dataset: limits are fitted on shifted copies too. */
export const CALIBRATION_SHIFT = 0.25;

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
  const validationClean = outputs(
    c,
    validation.map((s) => s.pixels),
  );
  const validationShifted = outputs(c, validation.map(shifted));

  const temperature = fitTemperature(
    validationClean.map((o) => o.logits),
    validation.map((s) => s.label),
  );

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
  const distances = [...validationClean, ...validationShifted].map((o) =>
    featureDistance(o.pooled, classMeans, featureStd),
  );
  const stats = trainOut.map((o) => o.stats);
  const cleanStats = stats.slice(0, train.length);
  const pick = (key: keyof (typeof stats)[number], q: number, from = stats) =>
    quantile(
      from.map((s) => s[key]),
      q,
    );
  const runtime: RuntimeConfig = {
    ...provisional,
    temperature,
    ood: { classMeans, featureStd, maxDistance: quantile(distances, 0.995) * 1.1 },
    checks: {
      minStain: pick("stain", 0.001) - 6,
      maxStain: pick("stain", 0.999) + 15,
      // Detail limits from the images as they are: a colour shift that clips a bright
      // image is not a reason to accept blank or blurred photos.
      minSharpness: pick("sharpness", 0.001, cleanStats) * 0.5,
      minContrast: pick("contrast", 0.001, cleanStats) * 0.5,
      minBrightness: Math.max(40, pick("brightness", 0.001) - 50),
      maxBrightness: Math.min(250, pick("brightness", 0.999) + 15),
      maxFlatFraction: Math.min(0.9, pick("flatFraction", 0.999, cleanStats) * 1.5 + 0.05),
    },
  };
  await fs.writeFile(path.join(dir, "runtime.json"), JSON.stringify(runtime, roundNumbers) + "\n");
  console.log(
    JSON.stringify({
      event: "calibrated",
      temperature,
      checks: runtime.checks,
      maxDistance: runtime.ood.maxDistance,
    }),
  );
  return runtime;
}

function roundNumbers(_key: string, value: unknown) {
  return typeof value === "number" ? Math.round(value * 1e5) / 1e5 : value;
}
