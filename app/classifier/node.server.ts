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
import { getModelStore, LAB_VERSION } from "~/lab/model-store.server";
import {
  folderSource,
  loadModelFrom,
  loadRuntimeFrom,
  modelsRoot,
  VERSION_NAME,
  type ModelSource,
} from "./files.server";
import { HEATMAP_MAX_SIDE, renderHeatmap } from "./heatmap";

/**
 * The folder of the embedded default version (`current.json` of the models folder), which the
 * command-line scripts use; the app asks `activeSource()`.
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

/** Lab versions found in the store: a version's files never change once installed. */
const inStore = new Map<string, ModelSource>();

/**
 * Where a version's files are: the build's models folder first, then, for a lab-made version,
 * the app's store (promoted on any instance); null when neither has it.
 */
export async function versionSource(version: string): Promise<ModelSource | null> {
  if (!VERSION_NAME.test(version)) return null;
  const dir = path.join(modelsRoot(), version);
  if ((await fs.stat(dir).catch(() => null))?.isDirectory()) return folderSource(dir);
  if (!LAB_VERSION.test(version)) return null;
  const known = inStore.get(version);
  if (known) return known;
  const found = await getModelStore().version(version);
  if (found) inStore.set(version, found);
  return found;
}

/** The files of the version in use (every instance finds it: the build's, or the store's). */
export async function activeSource(): Promise<ModelSource> {
  const version = await activeVersion();
  const source = await versionSource(version);
  if (!source) throw new Error(`The files of model version ${version} are not found`);
  return source;
}

const loaded = new Map<string, Promise<LoadedClassifier>>();

export async function loadClassifierFrom(source: ModelSource): Promise<LoadedClassifier> {
  let pending = loaded.get(source.key);
  if (!pending) {
    pending = (async () => {
      await startWasmBackend();
      return prepareClassifier(await loadModelFrom(source), await loadRuntimeFrom(source));
    })();
    pending.catch(() => loaded.delete(source.key));
    loaded.set(source.key, pending);
  }
  return pending;
}

export const loadClassifier = (dir: string) => loadClassifierFrom(folderSource(dir));

/** The model in use now: its version asked each time, each version loaded once. */
export async function getClassifier(): Promise<LoadedClassifier> {
  return loadClassifierFrom(await activeSource());
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
 * A file of a version, for private mode (a version promoted after the build is not among the
 * build's static files, and may be in the store only); null when there is no such file.
 */
export async function readModelFile(version: string, file: string): Promise<Buffer | null> {
  if (!MODEL_FILE.test(file)) return null;
  const source = await versionSource(version);
  return source ? source.read(file).catch(() => null) : null;
}
