import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { labJobEvents } from "#db/schema";
import { claimNextJob, createJob, readJob } from "~/lab/jobs.server";
import { acceptDataset, stageDataset } from "~/lab/datasets.server";
import { archiveLimits } from "~/lab/limits";
import { getModelStore, labJobsRoot } from "~/lab/model-store.server";
import { reviewCandidate } from "~/lab/promotion.server";
import { jobCommand } from "~/lab/runner.server";
import { RecipeSchema } from "~/lab/validation";
import { makeUser } from "../helpers";
import { labelledFiles, zipOf } from "./archives";

/**
 * The job process's story, on whichever store the app is configured with (the test files
 * job-process*.test.ts pick it): it runs the process as the runner starts it, twice.
 */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lab-job-process-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Run the job process as the runner starts it, to its end. */
function runJobProcess(jobId: string): Promise<{ code: number | null; output: string }> {
  const { command, args } = jobCommand(jobId);
  const child = spawn(command, args, { cwd: process.cwd(), env: process.env });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

async function queuedJob(actor: { id: string; role: string }, datasetId: string, epochs: number) {
  const job = await createJob(
    actor as Parameters<typeof createJob>[0],
    RecipeSchema.parse({
      datasetIds: datasetId,
      architecture: "narrow",
      epochs: String(epochs),
      seed: "1",
      blockSize: "1",
    }),
  );
  expect((await claimNextJob(`${os.hostname()}:test`))?.id).toBe(job.id);
  return job;
}

const resumedAfter = async (jobId: string) =>
  (await getDb().select().from(labJobEvents).where(eq(labJobEvents.jobId, jobId)))
    .map((e) => e.data as { event?: string; afterEpoch?: number })
    .find((d) => d.event === "resumed")?.afterEpoch;

/** A job trained to its end, then another resumed from a checkpoint put in the store. */
export async function runJobsThroughTheStore() {
  const user = await makeUser("admin");
  const actor = { id: user.id, role: user.role };
  const archive = path.join(tmp, `${crypto.randomUUID()}.zip`);
  fs.writeFileSync(archive, zipOf(await labelledFiles(8, 128)));
  const dataset = await stageDataset(
    actor,
    { archive, name: "Generated" },
    archiveLimits({ LAB_MAX_UPLOAD_MB: 50, LAB_MAX_UNZIPPED_MB: 50 }),
  );
  await acceptDataset(actor, dataset.id);
  const store = getModelStore();

  const job = await queuedJob(actor, dataset.id, 1);
  const run = await runJobProcess(job.id);
  expect(run.output).not.toMatch(/Error/);
  expect(run.code).toBe(0);
  expect((await readJob(job.id))?.status).toBe("succeeded");
  expect(await resumedAfter(job.id)).toBeUndefined();
  const review = await reviewCandidate(actor, job.id);
  expect(review.problems).toEqual([]);
  expect(review.comparison?.candidate.version).toBe(job.version);
  const checkpoint = path.join(tmp, "checkpoint");
  expect(await store.fetchCheckpoint(job.id, checkpoint)).toBe(true);

  // A job interrupted after its only epoch, run again (on any instance): its checkpoint is in
  // the store, so it trains no epoch again and still ends with its candidate.
  const next = await queuedJob(actor, dataset.id, 1);
  await store.putCheckpoint(next.id, 1, checkpoint);
  const resumed = await runJobProcess(next.id);
  expect(resumed.code).toBe(0);
  expect(await resumedAfter(next.id)).toBe(1);
  expect((await readJob(next.id))?.status).toBe("succeeded");
  expect((await reviewCandidate(actor, next.id)).problems).toEqual([]);
  return { job, next };
}

/** Every file under the instance's own lab jobs folder. */
export const jobFilesOnDisk = () => {
  const root = labJobsRoot();
  return fs.existsSync(root)
    ? fs
        .readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
        .sort()
    : [];
};
