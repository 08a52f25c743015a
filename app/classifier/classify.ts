/**
 * Classification, verdict and heat-map for one image: the same code on the server and in
 * the browser. Callers decode the image to RGB pixels (sharp / canvas) and hand them here.
 */
import * as tf from "@tensorflow/tfjs";
import { CLASS_IDS, type ClassId, type Probabilities } from "./classes";
import {
  MIN_SIDE,
  normaliseCapture,
  TILE,
  type CaptureMeasures,
  type NormalisedCapture,
} from "./capture";
import { featureDistance, imageStats, type ImageStats } from "./checks";
import { foldModel, type Inference } from "./fused";
import { FEATURE_LAYER } from "./model";
import { DIHEDRAL, orient, standardise, type Region, type RgbImage } from "./pixels";
import type { ColourMode, RuntimeConfig, SmearCheck, StagingRule } from "./runtime";
import type { ReasonCode } from "./vocabulary";

export type Confidence = "high" | "moderate" | "low";

/** What the capture normalisation measured, plus the model's feature distance. */
export type CaptureReport = CaptureMeasures & { featureDistance: number };

export type Classification = {
  verdict: "ok" | "cant_assess";
  reasons: ReasonCode[];
  probabilities: Probabilities;
  top: ClassId;
  confidence: Confidence;
  modelVersion: string;
  /** Null only for images too small to measure. */
  capture: CaptureReport | null;
};

/** Class activation map of the top class, width × height cells over `region` of the image, 0–1. */
export type ActivationMap = { width: number; height: number; values: Float32Array; region: Region };

export type LoadedClassifier = {
  config: RuntimeConfig;
  /** image → [feature maps, pooled features, logits] */
  probe: tf.LayersModel;
  /** The probe's outputs with batch norms folded (see fused.ts), or the probe itself. */
  infer: Inference;
  /** Dense head weights [features × classes], for the activation map. */
  headWeights: Float32Array;
};

const PROBE_OUTPUTS = [FEATURE_LAYER, "gap", "logits"];

export function prepareClassifier(model: tf.LayersModel, config: RuntimeConfig): LoadedClassifier {
  const probe = tf.model({
    inputs: model.inputs,
    outputs: PROBE_OUTPUTS.map((name) => model.getLayer(name).output as tf.SymbolicTensor),
  });
  const kernel = model.getLayer("logits").getWeights()[0]!;
  const layered: Inference = (x) => probe.predict(x) as tf.Tensor[];
  const folded = foldModel(model, PROBE_OUTPUTS);
  return {
    config,
    probe,
    infer: folded && sameOutputs(folded, layered, config.inputSize) ? folded : layered,
    headWeights: kernel.dataSync() as Float32Array,
  };
}

/**
 * The folded network must give the layer-by-layer outputs up to float rounding: checked once at
 * load on a fixed input, or the layers model is used as it is.
 */
function sameOutputs(a: Inference, b: Inference, size: number): boolean {
  return tf.tidy(() => {
    const values = new Float32Array(2 * size * size * 3).map((_, i) => Math.sin(i * 0.37) * 1.7);
    const x = tf.tensor4d(values, [2, size, size, 3]);
    const left = a(x);
    const right = b(x);
    return left.every((t, i) => {
      const u = t.dataSync();
      const v = right[i]!.dataSync();
      if (u.length !== v.length) return false;
      let scale = 0;
      for (const value of v) scale = Math.max(scale, Math.abs(value));
      for (let j = 0; j < u.length; j++)
        if (Math.abs(u[j]! - v[j]!) > 1e-4 * Math.max(1, scale)) return false;
      return true;
    });
  });
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

/** The top class's probability from which its confidence is called high or moderate. */
export const CONFIDENCE_CUTOFFS = { high: 0.9, moderate: 0.7 } as const;

export function confidenceOf(p: number): Confidence {
  return p >= CONFIDENCE_CUTOFFS.high
    ? "high"
    : p >= CONFIDENCE_CUTOFFS.moderate
      ? "moderate"
      : "low";
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
    return c.infer(x).map((t) => t.dataSync() as Float32Array);
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

/** Defaults for runtime.json files that predate the smear check and the staging rule. */
export const DEFAULT_SMEAR_CHECK: SmearCheck = {
  minRedCells: 15,
  maxSpread: 0.9,
  minRound: 0.7,
  minBackground: 0.25,
  maxBackground: 0.85,
  minStained: 0.5,
  minCoverage: 0.6,
  minRedCellPixels: 9,
  minBackgroundLuma: 50,
  minFocus: 0.06,
};
export const DEFAULT_STAGING: StagingRule = {
  benignMin: 0.9,
  benignTileMin: 0.6,
  malignantMin: 0.7,
};

/**
 * "Is this a peripheral blood smear at a magnification we can judge?" from what a smear is:
 * many red cells of one size, round, on a bright background, in Romanowsky colours, at a
 * resolution where a red cell spans enough pixels, with a white cell in view and in focus.
 */
export function smearReasons(m: CaptureMeasures, k: SmearCheck): ReasonCode[] {
  const reasons: ReasonCode[] = [];
  const smearLike =
    m.redCells >= k.minRedCells &&
    m.redCellSpread <= k.maxSpread &&
    m.roundFraction >= k.minRound &&
    m.backgroundFraction >= k.minBackground &&
    m.backgroundFraction <= k.maxBackground &&
    m.stainedFraction >= k.minStained;
  if (m.backgroundLuma < k.minBackgroundLuma) reasons.push("exposure");
  if (!smearLike) {
    reasons.push("not_smear");
    return reasons;
  }
  if (m.redCellDiameter < k.minRedCellPixels || m.coverage < k.minCoverage)
    reasons.push("magnification");
  if (m.whiteCells === 0) reasons.push("no_white_cell");
  if (m.focus < k.minFocus) reasons.push("out_of_focus");
  return reasons;
}

/** Image-statistics reasons on the normalised tile: blank, washed-out or drawn images. */
export function tileReasons(stats: ImageStats, k: RuntimeConfig["checks"]): ReasonCode[] {
  if (stats.contrast < k.minContrast) return ["exposure"];
  if (stats.flatFraction > k.maxFlatFraction) return ["not_smear"];
  return [];
}

/**
 * Selective staging: a stage only when the direction (leukaemia or not) is clear. Benign needs
 * a high probability overall and no tile that leans to leukaemia (blasts may sit in one tile);
 * a leukaemia stage needs the malignant classes together to be clearly ahead.
 */
export function stagingAllowed(tileBenign: number[], benign: number, rule: StagingRule): boolean {
  if (benign >= 0.5)
    return benign >= rule.benignMin && Math.min(...tileBenign) >= rule.benignTileMin;
  return 1 - benign >= rule.malignantMin;
}

export type Analysed = { classification: Classification; activation: ActivationMap };

/** A normalised capture run through the network: per-tile outputs and their aggregate. */
export type CaptureOutput = {
  capture: NormalisedCapture;
  outputs: RawOutput[];
  /** Mean logits over the tiles. */
  logits: Float32Array;
  /** Median over the tiles of the pooled-feature distance to the nearest training class. */
  distance: number;
};

/**
 * A capture's tiles go through the network one at a time, not in one batch: the outputs are the
 * same to the bit, and the wasm heap, which never shrinks, stays at its initial 16 MB instead of
 * growing to ~22 MB for six tiles' activations (docs/decisions/083).
 */
export function analyseCapture(c: LoadedClassifier, image: RgbImage): CaptureOutput {
  const { config } = c;
  const capture = normaliseCapture(image);
  const outputs = capture.tiles.flatMap((t) => runNetwork(c, [t.pixels]));
  const logits = new Float32Array(CLASS_IDS.length);
  for (const o of outputs) o.logits.forEach((v, i) => (logits[i]! += v / outputs.length));
  const distance = median(
    outputs.map((o) => featureDistance(o.pooled, config.ood.classMeans, config.ood.featureStd)),
  );
  return { capture, outputs, logits, distance };
}

/** The verdict's reasons for an analysed capture (empty: it may be staged). */
export function verdictReasons(config: RuntimeConfig, analysed: CaptureOutput): ReasonCode[] {
  const { capture, outputs, logits, distance } = analysed;
  const reasons = unique([
    ...smearReasons(capture.measures, config.smear ?? DEFAULT_SMEAR_CHECK),
    ...tileReasons(imageStats(capture.tiles[0]!.pixels, TILE), config.checks),
  ]);
  if (reasons.length === 0 && distance > config.ood.maxDistance) reasons.push("outside_training");
  const tileBenign = outputs.map((o) => softmax(o.logits, config.temperature)[0]!);
  const benign = softmax(logits, config.temperature)[0]!;
  if (
    reasons.length === 0 &&
    !stagingAllowed(tileBenign, benign, config.staging ?? DEFAULT_STAGING)
  )
    reasons.push("uncertain");
  return reasons;
}

/** Classify decoded pixels: normalise the capture, check it, run the tiles, stage or refuse. */
export function classifyPixels(c: LoadedClassifier, image: RgbImage): Analysed {
  const { config } = c;
  if (Math.min(image.width, image.height) < MIN_SIDE) return tooSmall(config, image);
  const analysed = analyseCapture(c, image);
  const probs = softmax(analysed.logits, config.temperature);
  const topIndex = probs.indexOf(Math.max(...probs));
  const reasons = verdictReasons(config, analysed);
  return {
    classification: {
      verdict: reasons.length === 0 ? "ok" : "cant_assess",
      reasons,
      probabilities: Object.fromEntries(CLASS_IDS.map((id, i) => [id, probs[i]!])) as Probabilities,
      top: CLASS_IDS[topIndex]!,
      confidence: confidenceOf(probs[topIndex]!),
      modelVersion: config.version,
      capture: { ...analysed.capture.measures, featureDistance: round2(analysed.distance) },
    },
    activation: fieldActivation(c, analysed.capture, analysed.outputs, topIndex),
  };
}

function tooSmall(config: RuntimeConfig, image: RgbImage): Analysed {
  const even = 1 / CLASS_IDS.length;
  return {
    classification: {
      verdict: "cant_assess",
      reasons: ["too_small"],
      probabilities: Object.fromEntries(CLASS_IDS.map((id) => [id, even])) as Probabilities,
      top: CLASS_IDS[0],
      confidence: "low",
      modelVersion: config.version,
      capture: null,
    },
    activation: {
      width: 1,
      height: 1,
      values: new Float32Array(1),
      region: { left: 0, top: 0, width: image.width, height: image.height },
    },
  };
}

/** Model pixels per activation-map cell (the network pools by 16). */
const CAM_CELL = 16;

/**
 * The top class's activation over the whole normalised field: each analysed tile's map placed
 * where the tile lies (the strongest value where tiles overlap), scaled to 0–1, with the region
 * of the original image it covers.
 */
function fieldActivation(
  c: LoadedClassifier,
  capture: NormalisedCapture,
  outputs: RawOutput[],
  classIndex: number,
): ActivationMap {
  const { fieldWidth, fieldHeight, scale } = capture.measures;
  const width = Math.max(1, Math.ceil(fieldWidth / CAM_CELL));
  const height = Math.max(1, Math.ceil(fieldHeight / CAM_CELL));
  const values = new Float32Array(width * height);
  capture.tiles.forEach((tile, t) => {
    const out = outputs[t]!;
    const cam = activationMap(out.maps, out.mapSize, c.headWeights, classIndex, false);
    for (let j = 0; j < out.mapSize; j++) {
      for (let i = 0; i < out.mapSize; i++) {
        const gx = Math.round((tile.x + i * CAM_CELL) / CAM_CELL);
        const gy = Math.round((tile.y + j * CAM_CELL) / CAM_CELL);
        if (gx < 0 || gy < 0 || gx >= width || gy >= height) continue;
        const k = gy * width + gx;
        values[k] = Math.max(values[k]!, cam[j * out.mapSize + i]!);
      }
    }
  });
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  if (max > 0) for (let i = 0; i < values.length; i++) values[i] = values[i]! / max;
  return {
    width,
    height,
    values,
    region: {
      left: capture.region.left,
      top: capture.region.top,
      width: (width * CAM_CELL) / scale,
      height: (height * CAM_CELL) / scale,
    },
  };
}

const unique = <T>(values: T[]) => [...new Set(values)];
const round2 = (v: number) => Math.round(v * 100) / 100;
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2;
}

/** CAM: the head's weights for the class over the last feature maps, ReLU, scaled to 0–1. */
export function activationMap(
  maps: Float32Array,
  size: number,
  head: Float32Array,
  classIndex: number,
  normalise = true,
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
  if (normalise && max > 0) for (let i = 0; i < cam.length; i++) cam[i] = cam[i]! / max;
  return cam;
}
