// npm run bench:memory [-- --seconds 20 --rounds 3 --engine sqlite|postgres]
// The production server's memory: RSS and post-GC heap idle, after the first search, upload,
// place lookup and login, then after `seconds` of 8 and of 32 clients on /doctors and on /,
// for `rounds` rounds. Fails when a figure passes the budget or keeps rising round after round.
// --engine postgres runs the app on PostgreSQL + S3 (scripts/lib/bench-engine.ts). Each step
// also says what holds the RSS: V8's heap (reserved), memory outside it that V8 knows of
// (Buffers, typed arrays), and the rest (native: code, libvips, wasm, the allocator's arenas).
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { startAppServer } from "./lib/app-server";
import { benchEngine, startBackends } from "./lib/bench-engine";
import { printLoadAverage, runLoad } from "./lib/load";
import { smearLikeJpeg } from "./lib/smear";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
    "budget-mb": { type: "string", default: "300" },
    engine: { type: "string" },
  },
});
const engine = benchEngine(values.engine);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const budgetMb = Number(values["budget-mb"]);

printLoadAverage();
const backends = await startBackends(engine);
console.log(`Engine: ${backends.description}`);
const server = await startAppServer(
  {
    ...backends.env,
    RATE_LIMIT_LOGIN_FAILURES_PER_IP: "1000000",
    RATE_LIMIT_UPLOADS_PER_ACCOUNT: "1000000",
  },
  { nodeArgs: ["--expose-gc", "--import", "./scripts/lib/memory-probe.mjs"], ipc: true },
).catch(async (error) => {
  await backends.stop();
  throw error;
});
const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** VmRSS now and VmHWM (peak) of the server, from /proc. */
function procRss() {
  const status = fs.readFileSync(`/proc/${server.process.pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: mb(kb("VmRSS") * 1024), peak: mb(kb("VmHWM") * 1024) };
}

let nextId = 0;
/** The server's RSS before and after a full garbage collection, and the live heap after it. */
function measure(): Promise<{
  rss_mb: number;
  rss_after_gc_mb: number;
  heap_after_gc_mb: number;
  heap_total_mb: number;
  external_mb: number;
  array_buffers_mb: number;
  native_mb: number;
}> {
  const id = nextId++;
  const before = procRss().rss;
  return new Promise((resolve) => {
    type Memory = NodeJS.MemoryUsage & { type: string; id: number };
    const onMessage = (message: Memory) => {
      if (message.type !== "memory" || message.id !== id) return;
      server.process.off("message", onMessage);
      resolve({
        rss_mb: before,
        rss_after_gc_mb: mb(message.rss),
        heap_after_gc_mb: mb(message.heapUsed),
        heap_total_mb: mb(message.heapTotal),
        external_mb: mb(message.external),
        array_buffers_mb: mb(message.arrayBuffers),
        // What neither V8's heap nor its external memory accounts for.
        native_mb: mb(message.rss - message.heapTotal - message.external),
      });
    };
    server.process.on("message", onMessage);
    server.process.send({ type: "measure", id });
  });
}

const rows: Array<Record<string, unknown>> = [];
async function record(step: string, extra: Record<string, unknown> = {}) {
  const memory = await measure();
  const row = { step, ...memory, ...extra };
  rows.push(row);
  const load = extra.requests_per_s
    ? `  ${extra.requests_per_s} req/s, p99 ${extra.p99_ms} ms, ${extra.errors} errors`
    : "";
  console.log(
    `${step.padEnd(28)} RSS ${String(memory.rss_mb).padStart(6)} MB  after GC ${String(memory.rss_after_gc_mb).padStart(6)} MB  heap ${String(memory.heap_after_gc_mb).padStart(6)} MB (reserved ${memory.heap_total_mb}), external ${memory.external_mb} (buffers ${memory.array_buffers_mb}), native ${memory.native_mb}${load}`,
  );
}

const base = server.baseUrl;
const check = (response: Response, what: string, ok = [200]) => {
  if (!ok.includes(response.status)) throw new Error(`${what}: HTTP ${response.status}`);
  return response;
};
try {
  await new Promise((r) => setTimeout(r, 1000));
  await record("idle");

  await check(await fetch(`${base}/doctors?lat=48.8566&lng=2.3522`), "search").text();
  await record("after first search");

  // A new patient (one password hash), then one upload (decode, classify, store).
  const register = await fetch(`${base}/register`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      name: "Memory Bench",
      email: "memory.bench@example.test",
      password: "benchmark passphrase",
    }),
  });
  const cookie = register.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error(`Registration failed: HTTP ${register.status}`);
  const form = new FormData();
  const image = await smearLikeJpeg();
  form.set("smear", new Blob([new Uint8Array(image)], { type: "image/jpeg" }), "smear.jpg");
  const upload = await fetch(`${base}/api/analyses`, {
    method: "POST",
    headers: { Cookie: cookie, Origin: base },
    body: form,
  });
  check(upload, "upload", [201]);
  await upload.arrayBuffer();
  await record("after first upload");

  await check(await fetch(`${base}/api/places?q=Lyon`), "place lookup").json();
  await check(await fetch(`${base}/api/places?q=10001`), "postcode lookup").json();
  await record("after place lookup");

  const login = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: base, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      email: "memory.bench@example.test",
      password: "benchmark passphrase",
    }),
  });
  check(login, "login", [302, 303]);
  await record("after login");

  const loads = [
    { path: "/doctors?lat=48.8566&lng=2.3522", clients: 8 },
    { path: "/doctors?lat=48.8566&lng=2.3522", clients: 32 },
    { path: "/", clients: 8 },
    { path: "/", clients: 32 },
  ];
  const ends: Array<{ rss: number; heap: number }> = [];
  for (let round = 1; round <= rounds; round++) {
    for (const { path, clients } of loads) {
      const result = await runLoad(base, path, { clients, seconds });
      const name = `r${round} ${clients} clients ${path.split("?")[0]}`;
      await record(name, { ...result, peak_rss_mb: procRss().peak });
    }
    const last = rows[rows.length - 1] as { rss_after_gc_mb: number; heap_after_gc_mb: number };
    ends.push({ rss: last.rss_after_gc_mb, heap: last.heap_after_gc_mb });
  }

  const peak = procRss().peak;
  const overBudget = rows.filter((r) => (r.rss_mb as number) > budgetMb);
  // "Keeps rising": every round ends higher than the one before, by more than noise.
  const rising = (values: number[], noiseMb: number) =>
    values.length >= 3 && values.every((v, i) => i === 0 || v > values[i - 1]! + noiseMb);
  const rssRising = rising(
    ends.map((e) => e.rss),
    5,
  );
  const heapRising = rising(
    ends.map((e) => e.heap),
    2,
  );
  const summary = {
    engine,
    seconds,
    rounds,
    budget_mb: budgetMb,
    peak_rss_mb: peak,
    max_rss_mb: Math.max(...rows.map((r) => r.rss_mb as number)),
    round_end_rss_after_gc_mb: ends.map((e) => e.rss),
    round_end_heap_after_gc_mb: ends.map((e) => e.heap),
    over_budget: overBudget.map((r) => r.step),
    rss_keeps_rising: rssRising,
    heap_keeps_rising: heapRising,
    load_average: os.loadavg().map((n) => Number(n.toFixed(2))),
  };
  console.log(`Peak RSS ${peak} MB (VmHWM); budget ${budgetMb} MB`);
  console.log(JSON.stringify({ steps: rows, summary }));
  const failures = [
    ...overBudget.map((r) => `${r.step}: ${r.rss_mb} MB > ${budgetMb} MB`),
    ...(rssRising ? ["RSS after GC rose every round"] : []),
    ...(heapRising ? ["live heap after GC rose every round"] : []),
    ...rows.filter((r) => (r.errors as number) > 0).map((r) => `${r.step}: ${r.errors} errors`),
  ];
  if (failures.length > 0) {
    console.error(`FAILED: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
} finally {
  await server.stop();
  fs.rmSync(server.dir, { recursive: true, force: true });
  await backends.stop();
}
