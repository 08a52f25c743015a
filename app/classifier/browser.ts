/**
 * The model in the browser: the wasm backend, the version in use fetched from /models/,
 * images decoded by the browser. Loaded lazily by the private (on-device) mode only; which
 * version is in use is asked before every analysis, so a page left open never analyses with
 * a version that has been replaced.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import {
  classifyPixels,
  prepareClassifier,
  type Analysed,
  type LoadedClassifier,
} from "./classify";
import { DECODE_MAX_SIDE } from "./capture";
import { HEATMAP_MAX_SIDE, renderHeatmap } from "./heatmap";
import type { RgbImage } from "./pixels";
import type { RuntimeConfig } from "./runtime";

/** Where the build copies tfjs-backend-wasm's .wasm files (scripts/copy-wasm.mjs). */
export const WASM_PATH = "/vendor/tfjs-wasm/";

let backend: Promise<void> | undefined;
/** The version loaded last; an older one is dropped when the server names a new one. */
let loaded: { version: string; classifier: Promise<LoadedClassifier> } | undefined;

function startBackend(): Promise<void> {
  backend ??= (async () => {
    setWasmPaths(WASM_PATH);
    if (!(await tf.setBackend("wasm")))
      throw new Error("WebAssembly is not available in this browser.");
    await tf.ready();
  })();
  backend.catch(() => (backend = undefined));
  return backend;
}

/** The version in use now, asked of the server every time (never from a cache). */
async function versionInUse(): Promise<string> {
  const response = await fetch("/api/models/current", { cache: "no-store" });
  if (!response.ok) throw new Error("The server did not say which model is in use.");
  return ((await response.json()) as { version: string }).version;
}

export async function loadBrowserClassifier(
  onProgress?: (fraction: number) => void,
): Promise<LoadedClassifier> {
  const [version] = await Promise.all([versionInUse(), startBackend()]);
  if (loaded?.version !== version) {
    const base = `/models/${encodeURIComponent(version)}/`;
    const classifier = (async () => {
      const [model, runtime] = await Promise.all([
        tf.loadLayersModel(`${base}model.json`, { onProgress }),
        fetch(`${base}runtime.json`).then((r) => r.json() as Promise<RuntimeConfig>),
      ]);
      return prepareClassifier(model, runtime);
    })();
    loaded = { version, classifier };
    classifier.catch(() => {
      if (loaded?.classifier === classifier) loaded = undefined;
    });
  }
  return loaded.classifier;
}

/**
 * Decode an image file to oriented RGB pixels with the browser's own decoder, at most
 * DECODE_MAX_SIDE on the longer side as the server decodes it (the same size, so the same
 * measures and tiles; the resampling filter differs, so the pixels of a larger photo are close,
 * not identical).
 */
export async function decodeInBrowser(file: Blob): Promise<RgbImage> {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, DECODE_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d", { willReadFrequently: true })!;
  context.imageSmoothingQuality = "high";
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const data = new Uint8Array(canvas.width * canvas.height * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
    data[o] = rgba[i]!;
    data[o + 1] = rgba[i + 1]!;
    data[o + 2] = rgba[i + 2]!;
  }
  return { width: canvas.width, height: canvas.height, data };
}

export type BrowserResult = Analysed & { heatmapUrl: string };

export async function classifyInBrowser(c: LoadedClassifier, file: Blob): Promise<BrowserResult> {
  const image = await decodeInBrowser(file);
  const analysed = classifyPixels(c, image);
  const scale = Math.min(1, HEATMAP_MAX_SIDE / Math.max(image.width, image.height));
  const overlay = renderHeatmap(analysed.activation, image.width, image.height, scale);
  const canvas = document.createElement("canvas");
  canvas.width = overlay.width;
  canvas.height = overlay.height;
  canvas
    .getContext("2d")!
    .putImageData(new ImageData(overlay.data, overlay.width, overlay.height), 0, 0);
  return { ...analysed, heatmapUrl: canvas.toDataURL("image/png") };
}
