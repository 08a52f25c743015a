/**
 * An Architect `@scheduled` function (app.arc, docs/decisions/064): one housekeeping job, the
 * same function the long-lived server's timer calls (app/housekeeping/housekeeping.server.ts),
 * from the server build's entry. Which job is named by `job.json` in the function's folder,
 * written by `npm run build:arc`, which bundles this file after `lambda-env.ts` and the server
 * build into one module. A failed job throws: Lambda records the error and the next scheduled
 * run tries again (every job is idempotent).
 */
import fs from "node:fs";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { FUNCTION_DIR } from "./lambda-env";
import { scheduledHandler, type Job } from "./scheduled-handler";

type Build = ServerBuild & { entry: { module: { HOUSEKEEPING_JOBS: Record<string, Job> } } };

/** The handler of the function's job, around the server build. */
export function createScheduledHandler(build: Build) {
  const { job } = JSON.parse(fs.readFileSync(path.join(FUNCTION_DIR, "job.json"), "utf8")) as {
    job: string;
  };
  const run = build.entry.module.HOUSEKEEPING_JOBS[job];
  if (!run) throw new Error(`No housekeeping job ${job}`);
  return scheduledHandler(job, run);
}
