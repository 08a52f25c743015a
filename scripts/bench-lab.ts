/**
 * Is the site still responsive while the model lab trains? Starts the production build on a
 * temporary database, measures `/` and `/doctors` (every request rendered), then queues a
 * training job (the project's CNN on a generated dataset) and measures again while it trains.
 *   npm run bench:lab [-- --per-class 40 --requests 60]
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startAppServer } from "./lib/app-server";
import { labelledFiles } from "../tests/lab/archives";
import { inTransaction } from "~/data/unit-of-work.server";

const { values: args } = parseArgs({
  options: {
    "per-class": { type: "string", default: "40" },
    requests: { type: "string", default: "60" },
  },
});
const server = await startAppServer({ PAGE_CACHE_SECONDS: "0" });
process.env.DATABASE_URL = server.env.DATABASE_URL;
process.env.DATA_DIR = server.dir;
const { getDb } = await import("#db/client");
const { labDatasets, labJobDatasets, labJobEvents, labJobs } = await import("#db/schema");
const { eq } = await import("drizzle-orm");

async function latency(pathname: string, n: number) {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const response = await fetch(`${server.baseUrl}${pathname}`);
    await response.arrayBuffer();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(n - 1, Math.floor(q * n))]! * 10) / 10;
  return { median: at(0.5), p95: at(0.95) };
}

async function measure() {
  const n = Number(args.requests);
  return { "/": await latency("/", n), "/doctors": await latency("/doctors", n) };
}

try {
  await measure(); // warm-up
  const idle = await measure();
  console.log(JSON.stringify({ event: "idle", ...idle }));

  const id = crypto.randomUUID();
  const dir = path.join(server.dir, "lab", "datasets", id);
  const files = await labelledFiles(Number(args["per-class"]), 224);
  for (const [name, bytes] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), bytes);
  }
  fs.writeFileSync(
    path.join(dir, "manifest.csv"),
    ["file,exact_duplicate_of", ...Object.keys(files).map((f) => `${f},`)].join("\n") + "\n",
  );
  const perClass = Number(args["per-class"]);
  await inTransaction(({ tx }) =>
    tx.insert(labDatasets).values({
      id,
      name: "bench",
      status: "accepted",
      images: perClass * 4,
      bytes: 0,
      report: {} as never,
    }),
  );
  const job = (
    await inTransaction(async ({ tx }) => {
      const rows = await tx
        .insert(labJobs)
        .values({
          datasetId: id,
          datasetName: "bench",
          version: `bench-${id.slice(0, 6)}`,
          recipe: {
            architecture: "project",
            epochs: 2,
            seed: 1,
            augmentation: true,
            blockSize: 5,
            batchSize: 32,
          },
        })
        .returning();
      await tx
        .insert(labJobDatasets)
        .values({ jobId: rows[0]!.id, position: 0, datasetId: id, datasetName: "bench" });
      return rows;
    })
  )[0];
  // The runner looks for queued jobs every 15 s; wait for the first training batch.
  const deadline = Date.now() + 300_000;
  for (;;) {
    const batch = (
      await getDb().select().from(labJobEvents).where(eq(labJobEvents.jobId, job.id))
    ).find((e) => e.kind === "batch");
    if (batch) break;
    if (Date.now() > deadline) throw new Error("The job did not start training in 5 minutes");
    await new Promise((r) => setTimeout(r, 500));
  }
  const training = await measure();
  const events = await getDb().select().from(labJobEvents).where(eq(labJobEvents.jobId, job.id));
  const speeds = events.filter((e) => e.kind === "batch").map((e) => e.data.imagesPerSecond);
  console.log(
    JSON.stringify({ event: "training", ...training, imagesPerSecond: speeds.at(-1) ?? null }),
  );
} finally {
  await server.stop();
  fs.rmSync(server.dir, { recursive: true, force: true });
}
