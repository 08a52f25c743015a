/**
 * The shipped model in the browser: the wasm backend, the model fetched from /models/,
 * images decoded by the browser. Loaded lazily by the private (on-device) mode only.
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

let loading: Promise<LoadedClassifier> | undefined;

export function loadBrowserClassifier(
  onProgress?: (fraction: number) => void,
): Promise<LoadedClassifier> {
  loading ??= (async () => {
    setWasmPaths(WASM_PATH);
    if (!(await tf.setBackend("wasm")))
      throw new Error("WebAssembly is not available in this browser.");
    await tf.ready();
    const current = (await (await fetch("/models/current.json")).json()) as { version: string };
    const base = `/models/${encodeURIComponent(current.version)}/`;
    const [model, runtime] = await Promise.all([
      tf.loadLayersModel(`${base}model.json`, { onProgress }),
      fetch(`${base}runtime.json`).then((r) => r.json() as Promise<RuntimeConfig>),
    ]);
    return prepareClassifier(model, runtime);
  })();
  loading.catch(() => (loading = undefined));
  return loading;
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
