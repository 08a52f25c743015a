/**
 * Classification, verdict and heat-map for one image: the same code on the server and in
 * the browser. Callers decode the image to RGB pixels (sharp / canvas) and hand them here.
 */
import * as tf from "@tensorflow/tfjs";
import { CLASS_IDS, type ClassId, type Probabilities } from "./classes";
import { featureDistance, imageStats, type ImageStats } from "./checks";
import { FEATURE_LAYER } from "./model";
import {
  DIHEDRAL,
  modelPixels,
  modelRegion,
  orient,
  standardise,
  type Region,
  type RgbImage,
} from "./pixels";
import type { ColourMode, RuntimeConfig } from "./runtime";

export type Confidence = "high" | "moderate" | "low";

export type Classification = {
  verdict: "ok" | "cant_assess";
  reasons: string[];
  probabilities: Probabilities;
  top: ClassId;
  confidence: Confidence;
  modelVersion: string;
};

/** Class activation map of the top class over the model's region of the image, 0–1. */
export type ActivationMap = { size: number; values: Float32Array; region: Region };

export type LoadedClassifier = {
  config: RuntimeConfig;
  /** image → [feature maps, pooled features, logits] */
  probe: tf.LayersModel;
  /** Dense head weights [features × classes], for the activation map. */
  headWeights: Float32Array;
};

/** Smallest side, in pixels, we accept for a smear photo. */
export const MIN_SIDE = 64;

export function prepareClassifier(model: tf.LayersModel, config: RuntimeConfig): LoadedClassifier {
  const probe = tf.model({
    inputs: model.inputs,
    outputs: [
      model.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor,
      model.getLayer("gap").output as tf.SymbolicTensor,
      model.outputs[0]!,
    ],
  });
  const kernel = model.getLayer("logits").getWeights()[0]!;
  return { config, probe, headWeights: kernel.dataSync() as Float32Array };
}

/** Model input values for one image's model pixels (bytes) into `out` at `offset`. */
export function toModelInput(
  pixels: Uint8Array,
  colour: ColourMode,
  out: Float32Array,
  offset = 0,
) {
  if (colour === "luma") {
    const grey = new Uint8Array(pixels.length);
    for (let i = 0; i < pixels.length; i += 3) {
      const y = Math.round(0.299 * pixels[i]! + 0.587 * pixels[i + 1]! + 0.114 * pixels[i + 2]!);
      grey[i] = grey[i + 1] = grey[i + 2] = y;
    }
    standardise(grey, out, offset);
  } else {
    standardise(pixels, out, offset);
  }
}

export function softmax(logits: ArrayLike<number>, temperature = 1): number[] {
  const scaled = Array.from(logits, (v) => v / temperature);
  const max = Math.max(...scaled);
  const exps = scaled.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

export function confidenceOf(p: number): Confidence {
  return p >= 0.9 ? "high" : p >= 0.7 ? "moderate" : "low";
}

export type RawOutput = {
  logits: Float32Array;
  pooled: Float32Array;
  maps: Float32Array;
  mapSize: number;
};

/** Run the network on a batch of model pixels, once per image. */
function forward(c: LoadedClassifier, batch: Uint8Array[]): RawOutput[] {
  const size = c.config.inputSize;
  const per = size * size * 3;
  const input = new Float32Array(per * batch.length);
  batch.forEach((pixels, i) => toModelInput(pixels, c.config.colour, input, i * per));
  const [maps, pooled, logits] = tf.tidy(() => {
    const x = tf.tensor4d(input, [batch.length, size, size, 3]);
    return (c.probe.predict(x) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array);
  }) as [Float32Array, Float32Array, Float32Array];
  const classes = CLASS_IDS.length;
  const features = pooled.length / batch.length;
  const mapCells = maps.length / batch.length / features;
  const mapSize = Math.round(Math.sqrt(mapCells));
  return batch.map((_, i) => ({
    logits: logits.slice(i * classes, (i + 1) * classes),
    pooled: pooled.slice(i * features, (i + 1) * features),
    maps: maps.slice(i * mapCells * features, (i + 1) * mapCells * features),
    mapSize,
  }));
}

/**
 * Run the network on a batch of model pixels. With test-time augmentation (runtime.json
 * `tta`), each image is also seen in its 8 flips and 90° rotations and the logits and
 * pooled features are averaged; the feature maps (heat-map) stay those of the image as is.
 */
export function runNetwork(c: LoadedClassifier, batch: Uint8Array[]): RawOutput[] {
  if (!c.config.tta) return forward(c, batch);
  const size = c.config.inputSize;
  const views = DIHEDRAL.length;
  const outputs = forward(
    c,
    batch.flatMap((pixels) => DIHEDRAL.map(([k, mirror]) => orient(pixels, size, k, mirror))),
  );
  return batch.map((_, i) => {
    const group = outputs.slice(i * views, (i + 1) * views);
    const mean = (pick: (o: RawOutput) => Float32Array) => {
      const out = new Float32Array(pick(group[0]!).length);
      for (const o of group) pick(o).forEach((v, j) => (out[j]! += v / views));
      return out;
    };
    return { ...group[0]!, logits: mean((o) => o.logits), pooled: mean((o) => o.pooled) };
  });
}

const REASONS = {
  small: "The image is too small to assess (at least 64 × 64 pixels are needed).",
  dark: "The image is too dark.",
  bright: "The image is over-exposed (washed out).",
  flat: "The image has almost no detail (blank or very low contrast).",
  drawing: "The image looks like a screenshot or a drawing, not a microscope photo.",
  blurry: "The image is too blurry to see cell detail.",
  stain: "The colours do not look like a stained blood smear.",
  ood: "The image does not look like a peripheral blood smear at the expected magnification.",
} as const;

/** The verdict's reasons from the image statistics and the feature distance. */
export function assessInput(stats: ImageStats, distance: number, config: RuntimeConfig): string[] {
  const k = config.checks;
  const reasons: string[] = [];
  if (stats.brightness < k.minBrightness) reasons.push(REASONS.dark);
  if (stats.brightness > k.maxBrightness) reasons.push(REASONS.bright);
  if (stats.contrast < k.minContrast) reasons.push(REASONS.flat);
  else if (stats.flatFraction > k.maxFlatFraction) reasons.push(REASONS.drawing);
  else if (stats.sharpness < k.minSharpness) reasons.push(REASONS.blurry);
  if (stats.stain < k.minStain || stats.stain > k.maxStain) reasons.push(REASONS.stain);
  if (reasons.length === 0 && distance > config.ood.maxDistance) reasons.push(REASONS.ood);
  return reasons;
}

export type Analysed = { classification: Classification; activation: ActivationMap };

/** Classify decoded pixels: verdict, calibrated probabilities, confidence, activation map. */
export function classifyPixels(c: LoadedClassifier, image: RgbImage): Analysed {
  const { config } = c;
  const size = config.inputSize;
  const region = modelRegion(image.width, image.height);
  const pixels = modelPixels(image, size);
  const [out] = runNetwork(c, [pixels]);
  const { logits, pooled, maps, mapSize } = out!;
  const probs = softmax(logits, config.temperature);
  const topIndex = probs.indexOf(Math.max(...probs));
  const top = CLASS_IDS[topIndex]!;
  const probabilities = Object.fromEntries(
    CLASS_IDS.map((id, i) => [id, probs[i]!]),
  ) as Probabilities;
  const reasons =
    Math.min(image.width, image.height) < MIN_SIDE
      ? [REASONS.small]
      : assessInput(
          imageStats(pixels, size),
          featureDistance(pooled, config.ood.classMeans, config.ood.featureStd),
          config,
        );
  return {
    classification: {
      verdict: reasons.length === 0 ? "ok" : "cant_assess",
      reasons,
      probabilities,
      top,
      confidence: confidenceOf(probs[topIndex]!),
      modelVersion: config.version,
    },
    activation: {
      size: mapSize,
      values: activationMap(maps, mapSize, c.headWeights, topIndex),
      region,
    },
  };
}

/** CAM: the head's weights for the class over the last feature maps, ReLU, scaled to 0–1. */
export function activationMap(
  maps: Float32Array,
  size: number,
  head: Float32Array,
  classIndex: number,
): Float32Array {
  const classes = CLASS_IDS.length;
  const features = maps.length / (size * size);
  const cam = new Float32Array(size * size);
  let max = 0;
  for (let cell = 0; cell < size * size; cell++) {
    let v = 0;
    for (let k = 0; k < features; k++)
      v += maps[cell * features + k]! * head[k * classes + classIndex]!;
    cam[cell] = Math.max(v, 0);
    max = Math.max(max, cam[cell]!);
  }
  if (max > 0) for (let i = 0; i < cam.length; i++) cam[i] = cam[i]! / max;
  return cam;
}
