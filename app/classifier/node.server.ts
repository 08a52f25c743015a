/** The shipped model in Node: loaded once per process, shared by every request. */
import fs from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
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

/** The folder of the current model version (`public/models/current.json`). */
export async function currentModelDir(root = modelsRoot()): Promise<string> {
  const { version } = JSON.parse(await fs.readFile(path.join(root, "current.json"), "utf8")) as {
    version: string;
  };
  if (!/^[\w.-]+$/.test(version)) throw new Error(`Bad model version in current.json: ${version}`);
  return path.join(root, version);
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

let current: Promise<LoadedClassifier> | undefined;

/** The current model, resolved and loaded once per process (a new version needs a restart). */
export function getClassifier(): Promise<LoadedClassifier> {
  current ??= currentModelDir().then(loadClassifier);
  current.catch(() => (current = undefined));
  return current;
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
