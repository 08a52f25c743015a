/**
 * Classifier benchmark: decode + preprocess + infer per image on the wasm and the pure-JS
 * CPU backends, batched throughput, model load time, heat-map time, peak RSS.
 *   npm run bench:classify [-- --runs 60]
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { startWasmBackend } from "~/classifier/backend.server";
import { classifyPixels, prepareClassifier, runNetwork } from "~/classifier/classify";
import { decodeImage } from "~/classifier/decode.server";
import { loadModel, loadRuntime } from "~/classifier/files.server";
import { currentModelDir, heatmapPng } from "~/classifier/node.server";
import { modelPixels } from "~/classifier/pixels";

const { values } = parseArgs({ options: { runs: { type: "string", default: "60" } } });
const runs = Number(values.runs);

/** A smear-like JPEG: pale background, pink discs, a few purple nuclei, some noise. */
async function smearLike(width: number, height: number): Promise<Buffer> {
  const r = (n: number) => Math.floor(Math.random() * n);
  const cells = Array.from(
    { length: Math.round((width * height) / 4000) },
    () =>
      `<circle cx="${r(width)}" cy="${r(height)}" r="${width / 40}" fill="#e8b4c8" fill-opacity="0.8"/>`,
  ).join("");
  const nuclei = Array.from(
    { length: 6 },
    () => `<circle cx="${r(width)}" cy="${r(height)}" r="${width / 22}" fill="#6a3d9a"/>`,
  ).join("");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#f3eef5"/>${cells}${nuclei}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
}

const percentile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};
const ms = (v: number) => Math.round(v * 100) / 100;

await startWasmBackend();
const dir = await currentModelDir();
const loadStart = performance.now();
const wasm = prepareClassifier(await loadModel(dir), await loadRuntime(dir));
const loadMs = performance.now() - loadStart;

const images = { "224x224": await smearLike(224, 224), "2000x1500": await smearLike(2000, 1500) };
const rows: Record<string, unknown>[] = [];

async function timeEndToEnd(bytes: Buffer, n: number) {
  const times: number[] = [];
  for (let i = 0; i < n + 3; i++) {
    const t = performance.now();
    classifyPixels(wasmOrCpu, await decodeImage(bytes));
    if (i >= 3) times.push(performance.now() - t);
  }
  return { p50: ms(percentile(times, 0.5)), p95: ms(percentile(times, 0.95)) };
}

let wasmOrCpu = wasm;
const results: Record<
  string,
  { wasm: { p50: number; p95: number }; cpu: { p50: number; p95: number } }
> = {};
for (const [name, bytes] of Object.entries(images)) {
  await tf.setBackend("wasm");
  wasmOrCpu = wasm;
  const w = await timeEndToEnd(bytes, runs);
  await tf.setBackend("cpu");
  wasmOrCpu = prepareClassifier(await loadModel(dir), await loadRuntime(dir));
  const c = await timeEndToEnd(bytes, Math.max(10, Math.round(runs / 4)));
  results[name] = { wasm: w, cpu: c };
  rows.push({
    image: name,
    wasm_p50_ms: w.p50,
    wasm_p95_ms: w.p95,
    cpu_p50_ms: c.p50,
    cpu_p95_ms: c.p95,
    cpu_over_wasm: ms(c.p50 / w.p50),
  });
}
await tf.setBackend("wasm");

// Batched throughput (preprocessing included, decoding excluded).
const decoded = await decodeImage(images["224x224"]);
const batch = 32;
const pixels = Array.from({ length: batch }, () => modelPixels(decoded, wasm.config.inputSize));
runNetwork(wasm, pixels);
const t = performance.now();
const rounds = 5;
for (let i = 0; i < rounds; i++)
  runNetwork(
    wasm,
    Array.from({ length: batch }, () => modelPixels(decoded, wasm.config.inputSize)),
  );
const perSecond = (batch * rounds) / ((performance.now() - t) / 1000);

const analysed = { ...classifyPixels(wasm, decoded), width: decoded.width, height: decoded.height };
const heat: number[] = [];
for (let i = 0; i < 20; i++) {
  const s = performance.now();
  await heatmapPng(analysed);
  heat.push(performance.now() - s);
}

for (const row of rows) console.log(JSON.stringify(row));
const summary = {
  model: wasm.config.version,
  input: wasm.config.inputSize,
  p50_ms_224: results["224x224"]!.wasm.p50,
  p95_ms_224: results["224x224"]!.wasm.p95,
  p50_ms_2000x1500: results["2000x1500"]!.wasm.p50,
  cpu_over_wasm_224: ms(results["224x224"]!.cpu.p50 / results["224x224"]!.wasm.p50),
  batched_images_per_second: Math.round(perSecond),
  model_load_ms: ms(loadMs),
  heatmap_png_p50_ms: ms(percentile(heat, 0.5)),
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
};
console.log(JSON.stringify(summary));
