/**
 * An Architect `@scheduled` function (app.arc, docs/decisions/064): one housekeeping job, the
 * same function the long-lived server's timer calls (app/housekeeping/housekeeping.server.ts),
 * from the server build's entry. Which job is named by `job.json` beside the bundle, written by
 * `npm run build:arc` into each scheduled function's folder. A failed job throws: Lambda
 * records the error and the next scheduled run tries again (every job is idempotent).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { scheduledHandler, type Job } from "./scheduled-handler";

type Jobs = Record<string, Job>;

const here = path.dirname(fileURLToPath(import.meta.url));
process.env.NODE_ENV = "production";
process.env.HOUSEKEEPING_INTERVAL_SECONDS = "0";

const { job } = JSON.parse(fs.readFileSync(path.join(here, "job.json"), "utf8")) as {
  job: string;
};
const build = (await import(path.join(here, "server", "index.js"))) as ServerBuild & {
  entry: { module: { HOUSEKEEPING_JOBS: Jobs } };
};
const run = build.entry.module.HOUSEKEEPING_JOBS[job];
if (!run) throw new Error(`No housekeeping job ${job}`);

export const handler = scheduledHandler(job, run);
