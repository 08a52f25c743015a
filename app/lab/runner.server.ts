/**
 * The lab's job runner in the web server (docs/decisions/052): it claims one queued job at a
 * time and trains it in a child process at low priority (`scripts/model/lab-job.ts`), never in
 * a request. At start-up a job whose process is gone goes back to the queue, and resumes from its
 * last epoch's checkpoint; a process that ends without ending its job fails the job. Start-up
 * also sweeps stored dataset files that no dataset row names (a crash mid-upload), and job
 * outputs and lab versions that no job or promotion row names.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { logError } from "~/http/request-context.server";
import { sweepDatasetFiles } from "./datasets.server";
import { sweepModelFiles } from "./promotion.server";
import {
  claimNextJob,
  finishJob,
  jobDir,
  readJob,
  requeueJob,
  runningJobs,
  setRunner,
} from "./jobs.server";

let child: ChildProcess | null = null;
let timer: NodeJS.Timeout | undefined;
/** Set when the server stops: its job stays "running" and resumes at the next start. */
let stopping = false;

const HOST = os.hostname();
const runnerName = (pid: number) => `${HOST}:${pid}`;

function alive(runner: string | null): boolean {
  if (!runner) return false;
  const [host, pid] = runner.split(":");
  // Another host's process cannot be checked from here: its own runner looks after it.
  if (host !== HOST) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

/** Jobs left "running" by a process that is gone: back to the queue (or cancelled, if asked). */
export async function recoverJobs(): Promise<number> {
  let recovered = 0;
  for (const job of await runningJobs()) {
    if (alive(job.runner)) continue;
    if (job.cancelRequested) await finishJob(job.id, "cancelled");
    else await requeueJob(job.id);
    recovered += 1;
  }
  return recovered;
}

/** How the job process is started: tsx runs the training script from the source tree. */
export function jobCommand(jobId: string): { command: string; args: string[] } {
  return {
    command: process.execPath,
    args: ["--import", "tsx", path.join(process.cwd(), "scripts/model/lab-job.ts"), jobId],
  };
}

/** Start the next queued job if none is running. Safe to call at any time, from any request. */
export async function kickLabRunner(): Promise<void> {
  if (child || stopping) return;
  const job = await claimNextJob(runnerName(process.pid));
  if (!job) return;
  const dir = jobDir(job.id);
  fs.mkdirSync(dir, { recursive: true });
  const logFile = fs.openSync(path.join(dir, "job.log"), "a");
  const { command, args } = jobCommand(job.id);
  const started = spawn(command, args, {
    cwd: process.cwd(),
    env: process.env,
    stdio: ["ignore", logFile, logFile],
  });
  fs.closeSync(logFile);
  child = started;
  // The runner's name is the child's, so a restarted server can tell whether it still runs.
  if (started.pid) {
    try {
      // Training takes what is left of the CPU; requests come first.
      os.setPriority(started.pid, 15);
    } catch (error) {
      logError("could not lower the training process's priority", error);
    }
    await setRunner(job.id, runnerName(started.pid));
  }
  started.on("exit", (code, signal) => {
    child = null;
    if (stopping) return;
    afterExit(job.id, code, signal).catch((error: unknown) =>
      logError("recording the end of a training process failed", error),
    );
  });
  started.on("error", (error) => {
    logError("the training process could not start", error);
  });
}

async function afterExit(jobId: string, code: number | null, signal: NodeJS.Signals | null) {
  const after = await readJob(jobId);
  if (after?.status === "running") {
    if (after.cancelRequested) await finishJob(jobId, "cancelled");
    else {
      await finishJob(
        jobId,
        "failed",
        `The training process stopped unexpectedly (${signal ?? `exit code ${code}`}); see job.log.`,
      );
    }
  }
  setImmediate(
    () => void kickLabRunner().catch((error: unknown) => logError("the lab runner failed", error)),
  );
}

/** At server start: recover abandoned jobs, start one, and look for queued ones now and then. */
export async function startLabRunner(intervalMs = 15_000): Promise<() => void> {
  for (const [what, sweep] of [
    ["datasets", sweepDatasetFiles],
    ["models", sweepModelFiles],
  ] as const) {
    const swept = await sweep().catch((error: unknown) => {
      logError(`sweeping the lab's ${what} files failed`, error);
      return null;
    });
    if (swept && swept.orphans > 0) console.info(`Lab ${what}: ${JSON.stringify(swept)}`);
  }
  await recoverJobs();
  await kickLabRunner();
  timer = setInterval(() => {
    recoverJobs()
      .then(() => kickLabRunner())
      .catch((error: unknown) => logError("the lab runner failed", error));
  }, intervalMs);
  timer.unref();
  return () => {
    stopping = true;
    clearInterval(timer);
    child?.kill("SIGTERM");
  };
}
