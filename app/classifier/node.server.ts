/**
 * The model in Node: each version loaded once per process and shared by every request. Which
 * version is in use is asked again for every analysis (the newest promotion in the database,
 * else `current.json`), so a promotion or a rollback needs no restart (docs/decisions/060).
 */
import fs from "node:fs/promises";
import path from "node:path";
import { desc } from "drizzle-orm";
import sharp from "sharp";
import { getDb } from "#db/client";
import { modelPromotions } from "#db/schema";
import { startWasmBackend } from "./backend.server";
import {
  classifyPixels,
  prepareClassifier,
  type Analysed,
  type LoadedClassifier,
} from "./classify";
import { DECODE_MAX_SIDE } from "./capture";
import { decodeImage } from "./decode.server";
import { loadModel, loadRuntime } from "./files.server";
import { HEATMAP_MAX_SIDE, renderHeatmap } from "./heatmap";

export function modelsRoot(): string {
  return process.env.MODELS_DIR ?? path.join(process.cwd(), "public", "models");
}

/** A version is a folder name of the models folder: letters, digits, `.`, `_` and `-`. */
export const VERSION_NAME = /^[\w][\w.-]*$/;

/**
 * The folder of the embedded default version (`current.json` of the models folder), which the
 * command-line scripts use; the app asks `activeModelDir()`.
 */
export async function currentModelDir(root = modelsRoot()): Promise<string> {
  const { version } = JSON.parse(await fs.readFile(path.join(root, "current.json"), "utf8")) as {
    version: string;
  };
  if (!VERSION_NAME.test(version)) throw new Error(`Bad model version in current.json: ${version}`);
  return path.join(root, version);
}

/** The version every instance uses: the newest promotion or rollback, else `current.json`. */
export async function activeVersion(root = modelsRoot()): Promise<string> {
  const [latest] = await getDb()
    .select({ version: modelPromotions.version })
    .from(modelPromotions)
    .orderBy(desc(modelPromotions.id))
    .limit(1);
  if (latest && VERSION_NAME.test(latest.version)) return latest.version;
  return path.basename(await currentModelDir(root));
}

export async function activeModelDir(root = modelsRoot()): Promise<string> {
  return path.join(root, await activeVersion(root));
}

const loaded = new Map<string, Promise<LoadedClassifier>>();

export async function loadClassifier(dir: string): Promise<LoadedClassifier> {
  let pending = loaded.get(dir);
  if (!pending) {
    pending = (async () => {
      await startWasmBackend();
      return prepareClassifier(await loadModel(dir), await loadRuntime(dir));
    })();
    pending.catch(() => loaded.delete(dir));
    loaded.set(dir, pending);
  }
  return pending;
}

/** The model in use now: its version asked each time, each version loaded once. */
export async function getClassifier(): Promise<LoadedClassifier> {
  return loadClassifier(await activeModelDir());
}

export type ClassifiedImage = Analysed & { width: number; height: number };

export async function classifyBytes(
  bytes: Uint8Array,
  classifier?: LoadedClassifier,
): Promise<ClassifiedImage> {
  const c = classifier ?? (await getClassifier());
  // Twice the measuring copy's size keeps the detail the model scale can use from any phone photo.
  const image = await decodeImage(bytes, { maxSide: DECODE_MAX_SIDE });
  return { ...classifyPixels(c, image), width: image.width, height: image.height };
}

/**
 * The activation map as a PNG overlay with the image's aspect ratio, at most 256 px on its
 * longer side (a 6 × 6 map needs no more; the page stretches it over the photo).
 */
export async function heatmapPng(result: ClassifiedImage): Promise<Buffer> {
  const scale = Math.min(1, HEATMAP_MAX_SIDE / Math.max(result.width, result.height));
  const overlay = renderHeatmap(result.activation, result.width, result.height, scale);
  return sharp(Buffer.from(overlay.data.buffer), {
    raw: { width: overlay.width, height: overlay.height, channels: 4 },
  })
    .png({ compressionLevel: 4 })
    .toBuffer();
}

/** The files of a model folder the browser loads (the network, its weights, its settings). */
const MODEL_FILE = /^[\w][\w.-]*\.(json|bin)$/;

/**
 * A file of a version in the models folder, for private mode (a version promoted after the
 * build is not among the build's static files); null when there is no such file.
 */
export async function readModelFile(version: string, file: string): Promise<Buffer | null> {
  if (!VERSION_NAME.test(version) || !MODEL_FILE.test(file)) return null;
  return fs.readFile(path.join(modelsRoot(), version, file)).catch(() => null);
}
