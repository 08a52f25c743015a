/**
 * Classifier benchmark: end to end per image (decode + capture normalisation + inference, as
 * `classifyBytes` does it) for a 224-px JPEG and a 12-megapixel phone photo through an eyepiece,
 * on the wasm and the pure-JS CPU backends, with where the time goes; batched throughput, model
 * load time, heat-map time, peak RSS. Wall-clock and CPU time (all threads) per image: on a busy
 * machine the CPU time is the steadier figure.
 *   npm run bench:classify [-- --runs 60]
 */
import os from "node:os";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";
import { startWasmBackend } from "~/classifier/backend.server";
import { DECODE_MAX_SIDE, normaliseCapture } from "~/classifier/capture";
import { classifyPixels, prepareClassifier, runNetwork } from "~/classifier/classify";
import { decodeImage } from "~/classifier/decode.server";
import { loadModel, loadRuntime } from "~/classifier/files.server";
import { classifyBytes, currentModelDir, heatmapPng } from "~/classifier/node.server";
// The server's libvips settings (one thread per image, no operation cache), so that the decode
// is timed as an upload runs it.
import "~/uploads/image.server";
import { EVAL_EYEPIECE, eyepiece } from "./recapture";

const { values } = parseArgs({ options: { runs: { type: "string", default: "60" } } });
const runs = Number(values.runs);

/** A smear-like JPEG: pale background, pink discs, a few purple nuclei. */
async function smearLike(width: number, height: number, seed = 1): Promise<Buffer> {
  // Seeded, so that every run (and every version compared) times the same image.
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const r = (n: number) => Math.floor(random() * n);
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

/** A 12-megapixel phone photo through the eyepiece: a smear-like field in a round stop. */
async function phonePhoto(): Promise<Buffer> {
  const field = await decodeImage(await smearLike(1600, 1200));
  // The evaluation's eyepiece, with a stop just wider than the frame.
  const photo = eyepiece(field, { ...EVAL_EYEPIECE, stop: 1.1 });
  return sharp(Buffer.from(photo.data), {
    raw: { width: photo.width, height: photo.height, channels: 3 },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

const images = { "224x224": await smearLike(224, 224), "4000x3000 phone": await phonePhoto() };
const rows: Record<string, unknown>[] = [];

/** CPU time of the process (every thread: libvips decodes on its own), in ms. */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function timeEndToEnd(bytes: Buffer, n: number) {
  const times: number[] = [];
  const cpu: number[] = [];
  let tiles = 0;
  for (let i = 0; i < n + 3; i++) {
    const t = performance.now();
    const c = cpuMs();
    const result = await classifyBytes(bytes, wasmOrCpu);
    tiles = result.classification.capture?.tiles ?? 0;
    if (i >= 3) {
      times.push(performance.now() - t);
      cpu.push(cpuMs() - c);
    }
  }
  return {
    p50: ms(percentile(times, 0.5)),
    p95: ms(percentile(times, 0.95)),
    cpu: ms(percentile(cpu, 0.5)),
    tiles,
  };
}

/** Where the time goes: decode, normalisation, network (medians over n runs). */
async function breakdown(bytes: Buffer, n: number) {
  const decode: number[] = [];
  const normalise: number[] = [];
  const network: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    const image = await decodeImage(bytes, { maxSide: DECODE_MAX_SIDE });
    decode.push(performance.now() - t);
    t = performance.now();
    const capture = normaliseCapture(image);
    normalise.push(performance.now() - t);
    t = performance.now();
    runNetwork(
      wasm,
      capture.tiles.map((tile) => tile.pixels),
    );
    network.push(performance.now() - t);
  }
  return {
    decode_ms: ms(percentile(decode, 0.5)),
    normalise_ms: ms(percentile(normalise, 0.5)),
    network_ms: ms(percentile(network, 0.5)),
  };
}

let wasmOrCpu = wasm;
const results: Record<
  string,
  { wasm: { p50: number; p95: number; cpu: number }; cpu: { p50: number; p95: number } }
> = {};
for (const [name, bytes] of Object.entries(images)) {
  await tf.setBackend("wasm");
  wasmOrCpu = wasm;
  const w = await timeEndToEnd(bytes, runs);
  await tf.setBackend("cpu");
  wasmOrCpu = prepareClassifier(await loadModel(dir), await loadRuntime(dir));
  const c = await timeEndToEnd(bytes, Math.max(10, Math.round(runs / 4)));
  results[name] = { wasm: w, cpu: c };
  await tf.setBackend("wasm");
  rows.push({
    image: name,
    wasm_p50_ms: w.p50,
    wasm_p95_ms: w.p95,
    wasm_cpu_p50_ms: w.cpu,
    tiles: w.tiles,
    cpu_p50_ms: c.p50,
    cpu_p95_ms: c.p95,
    cpu_over_wasm: ms(c.p50 / w.p50),
    ...(await breakdown(bytes, Math.max(10, Math.round(runs / 3)))),
  });
}
await tf.setBackend("wasm");

// Batched throughput (preprocessing included, decoding excluded).
const decoded = await decodeImage(images["224x224"]);
const batch = 32;
const tile = () => normaliseCapture(decoded).tiles[0]!.pixels;
runNetwork(wasm, Array.from({ length: batch }, tile));
const t = performance.now();
const rounds = 5;
for (let i = 0; i < rounds; i++) runNetwork(wasm, Array.from({ length: batch }, tile));
const perSecond = (batch * rounds) / ((performance.now() - t) / 1000);

const analysed = { ...classifyPixels(wasm, decoded), width: decoded.width, height: decoded.height };
const heat: number[] = [];
for (let i = 0; i < 20; i++) {
  const s = performance.now();
  await heatmapPng(analysed);
  heat.push(performance.now() - s);
}

for (const row of rows) console.log(JSON.stringify(row));
const load = os.loadavg().map((v) => Math.round(v * 100) / 100);
const summary = {
  model: wasm.config.version,
  input: wasm.config.inputSize,
  p50_ms_224: results["224x224"]!.wasm.p50,
  p95_ms_224: results["224x224"]!.wasm.p95,
  p50_ms_12mp_phone: results["4000x3000 phone"]!.wasm.p50,
  p95_ms_12mp_phone: results["4000x3000 phone"]!.wasm.p95,
  cpu_ms_224: results["224x224"]!.wasm.cpu,
  cpu_ms_12mp_phone: results["4000x3000 phone"]!.wasm.cpu,
  cpu_over_wasm_224: ms(results["224x224"]!.cpu.p50 / results["224x224"]!.wasm.p50),
  batched_images_per_second: Math.round(perSecond),
  model_load_ms: ms(loadMs),
  heatmap_png_p50_ms: ms(percentile(heat, 0.5)),
  peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  load_average: load,
};
console.log(JSON.stringify(summary));
