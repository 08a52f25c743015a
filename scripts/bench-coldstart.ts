// npm run bench:coldstart [-- --runs 5 --engine sqlite|postgres]
// Cold start of the serverless HTTP function (build/arc/http, docs/decisions/063): each run is
// a new Node process, as a new Lambda instance, that loads the handler, answers GET /healthz,
// then a first upload (the model loaded then). Times are from the spawn, so Node's own start is
// in them; RSS is the instance's idle after the first request and after the first analysis.
// The database is a seeded temporary SQLite file with images on the local disk, or with
// --engine postgres a seeded PostgreSQL database and an S3 bucket (scripts/lib/bench-engine.ts:
// a local cluster and an s3rver unless DATABASE_URL and the S3_* variables name real ones), as a
// deployed Lambda instance would use. Ends with one JSON line.
import { execFile, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs, promisify } from "node:util";
import { benchEngine, startBackends } from "./lib/bench-engine";
import { printLoadAverage, percentile } from "./lib/load";
import { smearLikeJpeg } from "./lib/smear";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, engine: { type: "string" } },
});
const runs = Number(values.runs);
const engine = benchEngine(values.engine);
if (!fs.existsSync("build/arc/http/index.mjs")) throw new Error("Run `npm run build:arc` first.");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-coldstart-"));
const backends = await startBackends(engine);
console.log(`Engine: ${backends.description}`);
Object.assign(process.env, {
  DATABASE_URL: path.join(dir, "app.db"),
  ...backends.env,
  DATA_DIR: dir,
  SESSION_SECRET: crypto.randomBytes(32).toString("base64url"),
  NODE_ENV: "production",
  RATE_LIMIT_UPLOADS_PER_ACCOUNT: "1000",
});
// Seed, then make the patient (each in a process of its own, which reads the environment above).
// Not spawnSync: the s3rver of --engine postgres answers from this process's event loop.
const run = (script: string) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", script]).catch(
    async (error: { stdout?: string; stderr?: string }) => {
      await backends.stop();
      throw new Error(`${script} failed:\n${error.stdout}${error.stderr}`);
    },
  );
await run("seed/setup.ts");
const cookie = (await run("scripts/lib/coldstart-account.ts")).stdout.trim();
const smear = path.join(dir, "smear.jpg");
fs.writeFileSync(smear, await smearLikeJpeg());

type Probe = {
  init_ms: number;
  first_request_ms: number;
  first_analysis_ms: number;
  analysis_ms: number;
  rss_idle_mb: number;
  rss_after_upload_mb: number;
};

/** One new instance: times from the spawn to each answer, and what the instance measured. */
function coldStart(): Promise<Probe & { spawn_to_first_request_ms: number }> {
  return new Promise((resolve, reject) => {
    const spawnedAt = Date.now();
    const child = spawn(process.execPath, ["scripts/lib/coldstart-probe.mjs"], {
      env: { ...process.env, PROBE_COOKIE: cookie, PROBE_SMEAR: smear },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let firstRequestAt = 0;
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
      if (!firstRequestAt && out.includes('"mark":"first-request"')) firstRequestAt = Date.now();
    });
    child.stderr.on("data", (chunk: Buffer) => (out += chunk));
    child.on("exit", (code) => {
      const line = out.split("\n").find((l) => l.startsWith('{"init_ms"'));
      if (code !== 0 || !line) return reject(new Error(`The probe failed (${code}):\n${out}`));
      resolve({
        ...(JSON.parse(line) as Probe),
        spawn_to_first_request_ms: firstRequestAt - spawnedAt,
      });
    });
  });
}

printLoadAverage();
const results: Awaited<ReturnType<typeof coldStart>>[] = [];
for (let i = 0; i < runs; i++) {
  const r = await coldStart();
  results.push(r);
  console.log(
    `run ${i + 1}: spawn → first request ${r.spawn_to_first_request_ms} ms (handler loaded at ${r.init_ms} ms, first answer at ${r.first_request_ms} ms), first analysis at ${r.first_analysis_ms} ms (the upload itself ${r.analysis_ms} ms); RSS idle ${r.rss_idle_mb} MB, after the upload ${r.rss_after_upload_mb} MB`,
  );
}
const median = (key: keyof (typeof results)[number]) =>
  percentile(
    results.map((r) => r[key]).sort((a, b) => a - b),
    50,
  );
printLoadAverage();
console.log(
  JSON.stringify({
    runs,
    engine,
    spawn_to_first_request_ms_p50: median("spawn_to_first_request_ms"),
    init_ms_p50: median("init_ms"),
    first_request_ms_p50: median("first_request_ms"),
    first_analysis_ms_p50: median("first_analysis_ms"),
    analysis_ms_p50: median("analysis_ms"),
    rss_idle_mb_p50: median("rss_idle_mb"),
    rss_after_upload_mb_p50: median("rss_after_upload_mb"),
    load_average: os.loadavg().map((n) => Math.round(n * 100) / 100),
  }),
);
await backends.stop();
fs.rmSync(dir, { recursive: true, force: true });
