// npm run bench:upload [-- --clients 8 --seconds 30 --profile --engine sqlite|postgres]
// N logged-in clients upload a ~1 MB smear-like JPEG as fast as they can against the
// production build on a temporary database; prints throughput, latency and integrity checks.
// An upload the instance sheds (503, its analysis slots and queue full: docs/decisions/077) is
// counted apart from the errors, and its client waits the Retry-After before the next one, as
// the upload form asks a person to; the latencies are those of the saved uploads.
// --engine postgres runs the app on PostgreSQL + S3 (scripts/lib/bench-engine.ts: the servers
// of DATABASE_URL and S3_* when given, otherwise started here).
// One upload before the clock starts loads the model (its CPU is not counted). With --profile
// the server runs under V8's CPU profiler and the script prints where its main thread's time
// went per upload (capture normalisation, inference, garbage collection, the rest).
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startAppServer } from "./lib/app-server";
import { benchEngine, startBackends } from "./lib/bench-engine";
import { printLoadAverage } from "./lib/load";
import { smearLikeJpeg } from "./lib/smear";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "8" },
    seconds: { type: "string", default: "30" },
    profile: { type: "boolean", default: false },
    engine: { type: "string" },
  },
});
const engine = benchEngine(values.engine);
const clients = Number(values.clients);
const seconds = Number(values.seconds);

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

type Profile = {
  nodes: { id: number; callFrame: { functionName: string; url: string } }[];
  samples: number[];
  timeDeltas: number[];
};

/** The capture normalisation's functions (the server bundle keeps their names). */
const CAPTURE = new Set([
  "normaliseCapture",
  "workingCopy",
  "findField",
  "fitCircle",
  "fitBackground",
  "fitSurface",
  "measureCells",
  "otsu",
  "fillHoles",
  "distanceTransform",
  "cellCentres",
  "componentAreas",
  "roundShare",
  "cutTiles",
  "tilePixels",
  "integral",
  "focusOf",
  "percentile",
  "resizeAreaTo",
  "boxWeights",
  "makeRow",
]);

const profileDir = values.profile ? fs.mkdtempSync(path.join(os.tmpdir(), "upload-prof-")) : "";
printLoadAverage();
const backends = await startBackends(engine);
console.log(`Engine: ${backends.description}`);
const server = await startAppServer(
  {
    ...backends.env,
    RATE_LIMIT_UPLOADS_PER_ACCOUNT: "1000000",
    RATE_LIMIT_LOGIN_FAILURES_PER_IP: "1000000",
    // Every client registers from the same address.
    RATE_LIMIT_REGISTER_PER_IP: "1000000",
  },
  { nodeArgs: values.profile ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [] },
).catch(async (error) => {
  await backends.stop();
  throw error;
});
let cpuPerUpload = 0;
try {
  const image = await smearLikeJpeg();
  // The multipart body is built once, as autocannon would send it: the load client should
  // spend its CPU on sending bytes, not on re-encoding the same form (both share 2 cores).
  const form = new FormData();
  form.set("smear", new Blob([new Uint8Array(image)], { type: "image/jpeg" }), "smear.jpg");
  const encoded = new Response(form);
  const upload = {
    contentType: encoded.headers.get("content-type")!,
    body: new Uint8Array(await encoded.arrayBuffer()),
  };
  // Rows and image files already there (the demo data), so the checks count this run's.
  const rowsBefore = await backends.countAnalyses(server);
  const filesBefore = await backends.countImageFiles(server);
  const bytesBefore = await backends.storedBytes(server);
  // Each client registers through the real form once, as a browser would.
  const cookies: string[] = [];
  for (let i = 0; i < clients; i++) {
    const email = `bench${i}@example.test`;
    const register = await fetch(`${server.baseUrl}/register`, {
      method: "POST",
      redirect: "manual",
      headers: { Origin: server.baseUrl, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name: `Bench ${i}`, email, password: "benchmark passphrase" }),
    });
    const cookie = register.headers.get("set-cookie")?.split(";")[0];
    if (!cookie) throw new Error(`Could not register client ${i}: ${register.status}`);
    cookies.push(cookie);
  }

  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let errors = 0;
  let shed = 0;
  let peakRssKb = 0;
  const rssTimer = setInterval(() => {
    const status = fs.readFileSync(`/proc/${server.process.pid}/status`, "utf8");
    peakRssKb = Math.max(peakRssKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
  }, 250);

  const serverCpuMs = () => {
    // utime + stime in clock ticks (100 Hz on Linux), fields 14 and 15 of /proc/<pid>/stat.
    const fields = fs
      .readFileSync(`/proc/${server.process.pid}/stat`, "utf8")
      .split(") ")[1]
      .split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  // Warm-up: the first upload loads the model and compiles the hot code.
  const send = (cookie: string) =>
    fetch(`${server.baseUrl}/api/analyses`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: server.baseUrl, "Content-Type": upload.contentType },
      body: upload.body,
    });
  const warm = await send(cookies[0]!);
  await warm.arrayBuffer();
  if (warm.status !== 201) throw new Error(`The warm-up upload failed: ${warm.status}`);
  const warmUps = 1;

  const serverCpuStart = serverCpuMs();
  const databaseCpuStart = backends.databaseCpuMs();
  const clientCpuStart = process.cpuUsage();
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    cookies.map(async (cookie) => {
      while (Date.now() < deadline) {
        const t0 = performance.now();
        try {
          const response = await send(cookie);
          await response.arrayBuffer();
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          if (response.status === 201) latencies.push(performance.now() - t0);
          else if (response.status === 503 && response.headers.has("Retry-After")) {
            shed++;
            const wait = Number(response.headers.get("Retry-After")) * 1000;
            await new Promise((resolve) =>
              setTimeout(resolve, Math.min(wait, deadline - Date.now())),
            );
          } else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  clearInterval(rssTimer);
  const serverCpu = serverCpuMs() - serverCpuStart;
  const databaseCpuEnd = backends.databaseCpuMs();
  const clientCpuUsage = process.cpuUsage(clientCpuStart);
  const clientCpu = (clientCpuUsage.user + clientCpuUsage.system) / 1000;

  const succeeded = statuses.get(201) ?? 0;
  const rows = (await backends.countAnalyses(server)) - rowsBefore;
  const files = (await backends.countImageFiles(server)) - filesBefore;
  const bytesAfter = await backends.storedBytes(server);
  // Per stored analysis (the warm-up's included): what storage grows by per upload.
  const perAnalysis = (bytes: number) => Math.round(bytes / Math.max(1, rows) / 1024);
  latencies.sort((a, b) => a - b);
  const result = {
    engine,
    clients,
    seconds: Number(elapsed.toFixed(1)),
    image_bytes: image.length,
    requests: [...statuses.values()].reduce((a, b) => a + b, 0),
    uploads_per_s: Number((succeeded / elapsed).toFixed(1)),
    p50_ms: Math.round(percentile(latencies, 50)),
    p95_ms: Math.round(percentile(latencies, 95)),
    p99_ms: Math.round(percentile(latencies, 99)),
    errors,
    shed,
    statuses: Object.fromEntries(statuses),
    rows,
    files,
    rows_match: rows === succeeded + warmUps && files === (succeeded + warmUps) * 3,
    peak_server_rss_mb: Math.round(peakRssKb / 1024),
    image_kb_per_upload: perAnalysis(bytesAfter.images - bytesBefore.images),
    database_kb_per_upload: perAnalysis(bytesAfter.database - bytesBefore.database),
    server_cpu_ms_per_upload: Math.round(serverCpu / Math.max(1, succeeded)),
    ...(databaseCpuStart !== undefined &&
      databaseCpuEnd !== undefined && {
        database_cpu_ms_per_upload: Math.round(
          (databaseCpuEnd - databaseCpuStart) / Math.max(1, succeeded),
        ),
      }),
    server_cores_busy: Number((serverCpu / 1000 / elapsed).toFixed(2)),
    client_cores_busy: Number((clientCpu / 1000 / elapsed).toFixed(2)),
  };
  console.log(
    `Uploads of a ${(image.length / 1e6).toFixed(2)} MB JPEG, ${clients} clients, ${elapsed.toFixed(1)} s, on ${engine}`,
  );
  console.log(
    `  throughput   ${result.uploads_per_s} uploads/s (${succeeded} succeeded, ${shed} shed with 503, ${errors} errors)`,
  );
  console.log(
    `  latency      p50 ${result.p50_ms} ms, p95 ${result.p95_ms} ms, p99 ${result.p99_ms} ms`,
  );
  console.log(
    `  integrity    ${rows} rows, ${files} files (3 per analysis, ${warmUps} warm-up included): ${result.rows_match ? "match" : "MISMATCH"}`,
  );
  console.log(`  server RSS   peak ${result.peak_server_rss_mb} MB`);
  console.log(
    `  storage      ${result.image_kb_per_upload} KB of images and ${result.database_kb_per_upload} KB of database per upload`,
  );
  console.log(
    `  CPU          server ${result.server_cpu_ms_per_upload} ms per upload, ${result.server_cores_busy} cores busy; load client ${result.client_cores_busy} cores`,
  );
  if ("database_cpu_ms_per_upload" in result) {
    console.log(
      `  database     ${result.database_cpu_ms_per_upload} ms of Postgres CPU per upload`,
    );
  }
  console.log(JSON.stringify({ ...result, load_average: os.loadavg().map((v) => +v.toFixed(2)) }));
  cpuPerUpload = result.server_cpu_ms_per_upload;
  if (errors > 0 || !result.rows_match) process.exitCode = 1;
} finally {
  await server.stop();
  fs.rmSync(server.dir, { recursive: true, force: true });
  await backends.stop();
}
if (profileDir) {
  const file = fs.readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
  if (file)
    printBreakdown(JSON.parse(fs.readFileSync(path.join(profileDir, file), "utf8")), cpuPerUpload);
  fs.rmSync(profileDir, { recursive: true, force: true });
}

/**
 * Where the server's main thread was busy over the whole run (log-ins and warm-up included), by
 * part: its share of the busy samples, and that share of the measured CPU per upload. (Sample
 * intervals are wall time: on a busy machine the process waits between samples, so only the
 * shares are meaningful.)
 */
function printBreakdown(profile: Profile, cpuPerUpload: number) {
  const part = new Map<number, string>();
  for (const { id, callFrame } of profile.nodes) {
    const { functionName: name, url } = callFrame;
    part.set(
      id,
      name === "(idle)" || name === "(program)"
        ? "idle"
        : name === "(garbage collector)"
          ? "garbage collection"
          : CAPTURE.has(name)
            ? "capture normalisation"
            : url.includes("@tensorflow") || url.startsWith("wasm")
              ? "inference (tf.js and wasm)"
              : url.includes("better-sqlite3")
                ? "SQLite"
                : /node_modules\/(pg|pg-protocol|pg-pool|drizzle-orm)\//.test(url)
                  ? "PostgreSQL client (pg, drizzle)"
                  : /@aws-sdk|@smithy/.test(url)
                    ? "S3 client (AWS SDK)"
                    : url.includes("sharp")
                      ? "sharp (JS side)"
                      : url.includes("/build/server/")
                        ? "the rest of the app"
                        : "Node (HTTP, multipart, streams, modules)",
    );
  }
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = part.get(id) ?? "other";
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const busy = [...totals].filter(([name]) => name !== "idle").sort((a, b) => b[1] - a[1]);
  const total = busy.reduce((a, [, ms]) => a + ms, 0);
  console.log(
    `Server main thread by part: share of busy time, ≈ ms of the ${cpuPerUpload} ms per upload`,
  );
  for (const [name, ms] of busy) {
    const share = ms / Math.max(total, 1e-9);
    console.log(
      `  ${name.padEnd(42)} ${(100 * share).toFixed(1).padStart(5)} %  ${(share * cpuPerUpload).toFixed(0).padStart(4)} ms`,
    );
  }
}
