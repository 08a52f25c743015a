/**
 * Model files: model.json + one weight shard (float16) + runtime.json (+ the card). A version
 * is read through a `ModelSource`: a folder of the models folder, or a lab version in the app's
 * store (app/lab/model-store.server.ts), so every reader works on both.
 */
import fs from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { RuntimeConfig } from "./runtime";

export const WEIGHTS_FILE = "weights.bin";

/** The build's models folder (`MODELS_DIR`, else `public/models`). */
export function modelsRoot(): string {
  return process.env.MODELS_DIR ?? path.join(process.cwd(), "public", "models");
}

/** A version is a folder name of the models folder: letters, digits, `.`, `_` and `-`. */
export const VERSION_NAME = /^[\w][\w.-]*$/;

/**
 * Where one version's files are read from. `key` names the place (loaded models are cached by
 * it); `read` rejects when the file is not there.
 */
export interface ModelSource {
  key: string;
  read(file: string): Promise<Buffer>;
}

/** A version's files sit side by side: a name with no folder in it, never `..`. */
export function checkModelFile(file: string) {
  if (!VERSION_NAME.test(file)) throw new Error(`Invalid model file name: ${file}`);
}

export const folderSource = (dir: string): ModelSource => ({
  key: dir,
  read: async (file) => {
    checkModelFile(file);
    return fs.readFile(path.join(dir, file));
  },
});

/** float32 → IEEE half (round to nearest even), for the weights manifest's float16 entries. */
export function toFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let i = 0; i < values.length; i++) {
    f[0] = values[i]!;
    const x = u[0]!;
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >> shift;
      const rest = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      if (rest > mid || (rest === mid && half & 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
    out[i] = sign | half;
  }
  return out;
}

/** Write model.json and a float16 weight shard; returns the shard's size in bytes. */
export async function saveModel(model: tf.LayersModel, dir: string): Promise<number> {
  await fs.mkdir(dir, { recursive: true });
  let bytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const specs = artifacts.weightSpecs ?? [];
      const data = new Float32Array(artifacts.weightData as ArrayBuffer);
      const half = toFloat16(data);
      bytes = half.byteLength;
      await fs.writeFile(path.join(dir, WEIGHTS_FILE), Buffer.from(half.buffer));
      const manifest = {
        format: "layers-model",
        generatedBy: "HemaLink training",
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [
          {
            paths: [WEIGHTS_FILE],
            weights: specs.map((spec) => ({ ...spec, quantization: { dtype: "float16" } })),
          },
        ],
      };
      await fs.writeFile(path.join(dir, "model.json"), JSON.stringify(manifest));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  return bytes;
}

type ModelJson = {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
};

export async function loadModelFrom(source: ModelSource): Promise<tf.LayersModel> {
  const json = JSON.parse((await source.read("model.json")).toString("utf8")) as ModelJson;
  const group = json.weightsManifest[0]!;
  const weights = await source.read(group.paths[0]!);
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  );
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: group.weights, weightData }),
  );
}

export async function loadRuntimeFrom(source: ModelSource): Promise<RuntimeConfig> {
  return JSON.parse((await source.read("runtime.json")).toString("utf8")) as RuntimeConfig;
}

export const loadModel = (dir: string) => loadModelFrom(folderSource(dir));
export const loadRuntime = (dir: string) => loadRuntimeFrom(folderSource(dir));

/** The files of a version that a reader needs, those it may have, and its weight shards. */
const REQUIRED = ["model.json", "runtime.json", "model-card.json"];
const OPTIONAL = ["training.json"];

/** Copy a version's files into a folder (a script that reads model folders needs one). */
export async function copyModel(source: ModelSource, dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const json = JSON.parse((await source.read("model.json")).toString("utf8")) as ModelJson;
  const shards = json.weightsManifest.flatMap((group) => group.paths);
  for (const file of [...REQUIRED, ...shards]) {
    await fs.writeFile(path.join(dir, path.basename(file)), await source.read(file));
  }
  for (const file of OPTIONAL) {
    const bytes = await source.read(file).catch(() => null);
    if (bytes) await fs.writeFile(path.join(dir, file), bytes);
  }
}
