/**
 * Training jobs of the model lab: an admin starts one on an accepted dataset with a recipe; the
 * runner (runner.server.ts) trains one at a time in a child process; the job page follows its
 * events. Also the job process's own writes (events, epochs, the end), which act for no user.
 */
import crypto from "node:crypto";
import path from "node:path";
import { and, asc, desc, eq, gt, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import {
  labDatasets,
  labJobDatasets,
  labJobEvents,
  labJobs,
  type LabDataset,
  type LabJob,
  type LabRecipe,
} from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { inTransaction } from "~/data/unit-of-work.server";
import { conflict, invalid, notFound } from "~/errors/domain-error";
import { labJobsRoot } from "./model-store.server";
import type { RecipeInput } from "./validation";
import { ACTIVE_JOB_STATUSES, type JobEventKind, type JobStatus } from "./vocabulary";

const JOB_ID = /^[0-9a-f-]{36}$/;

/** The job's instance-local folder: its process's log (its outputs are in the model store). */
export function jobDir(id: string): string {
  if (!JOB_ID.test(id)) notFound();
  return path.join(labJobsRoot(), id);
}

function requireLab(actor: Actor) {
  if (!can(actor, { type: "lab:use" })) notFound();
}

function newVersion(now = new Date()): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  return `lab-${stamp}-${crypto.randomBytes(3).toString("hex")}`;
}

export async function createJob(actor: Actor, input: RecipeInput): Promise<LabJob> {
  requireLab(actor);
  const ids = [...new Set(input.datasetIds)];
  const found = ids.length
    ? await getDb().select().from(labDatasets).where(inArray(labDatasets.id, ids))
    : [];
  // In the order chosen; an id that names no dataset is refused like an empty choice.
  const datasets = ids.map((id) => found.find((d) => d.id === id));
  if (datasets.length === 0 || datasets.some((d) => !d)) {
    throw invalid("Choose one or more datasets", "datasetIds");
  }
  const chosen = datasets as LabDataset[];
  const unaccepted = chosen.filter((d) => d.status !== "accepted");
  if (unaccepted.length > 0) {
    throw invalid(
      `Accept ${unaccepted.map((d) => d.name).join(", ")} after reading its report before training on it.`,
      "datasetIds",
    );
  }
  const recipe: LabRecipe = {
    architecture: input.architecture,
    epochs: input.epochs,
    seed: input.seed,
    augmentation: input.augmentation,
    blockSize: input.blockSize,
    batchSize: 32,
  };
  const names = chosen.map((d) => d.name).join(" + ");
  return await inTransaction(async ({ tx }) => {
    const job = (
      await tx
        .insert(labJobs)
        .values({
          datasetId: chosen[0]!.id,
          datasetName: names,
          version: newVersion(),
          recipe,
          createdBy: actor.id,
        })
        .returning()
    )[0];
    await tx.insert(labJobDatasets).values(
      chosen.map((d, position) => ({
        jobId: job.id,
        position,
        datasetId: d.id,
        datasetName: d.name,
      })),
    );
    await auditSuccess(
      actor,
      "lab.job.create",
      {
        targetType: "lab_job",
        targetId: job.id,
        detail: `${names}: ${recipe.architecture}, ${recipe.epochs} epochs, seed ${recipe.seed}`,
      },
      tx,
    );
    return job;
  });
}

export type JobDataset = { id: string | null; name: string };

/** The datasets of a job, in the order chosen (a deleted one keeps its name, without an id). */
export async function readJobDatasets(jobId: string): Promise<JobDataset[]> {
  return (
    await getDb()
      .select({ id: labJobDatasets.datasetId, name: labJobDatasets.datasetName })
      .from(labJobDatasets)
      .where(eq(labJobDatasets.jobId, jobId))
      .orderBy(asc(labJobDatasets.position))
  ).map((d) => ({ id: d.id, name: d.name }));
}

export async function jobDatasets(actor: Actor, id: string): Promise<JobDataset[]> {
  await getJob(actor, id);
  return readJobDatasets(id);
}

export async function listJobs(actor: Actor): Promise<LabJob[]> {
  requireLab(actor);
  return await getDb().select().from(labJobs).orderBy(desc(labJobs.createdAt));
}

export async function getJob(actor: Actor, id: string): Promise<LabJob> {
  requireLab(actor);
  const job = (await getDb().select().from(labJobs).where(eq(labJobs.id, id)).limit(1))[0];
  if (!job) notFound();
  return job;
}

/** A queued job is cancelled at once; a running one stops at its next batch. */
export async function cancelJob(actor: Actor, id: string): Promise<void> {
  const job = await getJob(actor, id);
  if (job.status !== "queued" && job.status !== "running") {
    throw conflict("This job has already ended.");
  }
  await inTransaction(async ({ tx }) => {
    await tx
      .update(labJobs)
      .set(
        job.status === "queued"
          ? { status: "cancelled", cancelRequested: true, finishedAt: new Date() }
          : { cancelRequested: true },
      )
      .where(and(eq(labJobs.id, id), inArray(labJobs.status, ACTIVE_JOB_STATUSES)));
    await auditSuccess(actor, "lab.job.cancel", { targetType: "lab_job", targetId: id }, tx);
  });
}

export type JobEventRow = { id: number; kind: JobEventKind; data: Record<string, unknown> };

/** A job's events after `afterId`, in order (the page's curves and its live stream). */
export async function jobEvents(
  actor: Actor,
  id: string,
  afterId = 0,
  kinds?: JobEventKind[],
): Promise<JobEventRow[]> {
  await getJob(actor, id);
  return await getDb()
    .select({ id: labJobEvents.id, kind: labJobEvents.kind, data: labJobEvents.data })
    .from(labJobEvents)
    .where(
      and(
        eq(labJobEvents.jobId, id),
        gt(labJobEvents.id, afterId),
        kinds ? inArray(labJobEvents.kind, kinds) : undefined,
      ),
    )
    .orderBy(asc(labJobEvents.id));
}

// ── the job process and the runner (system work, no acting user) ────────────────────────

export async function readJob(id: string): Promise<LabJob | undefined> {
  return (await getDb().select().from(labJobs).where(eq(labJobs.id, id)).limit(1))[0];
}

export async function recordEvent(
  jobId: string,
  kind: JobEventKind,
  data: Record<string, unknown>,
) {
  await inTransaction(({ tx }) => tx.insert(labJobEvents).values({ jobId, kind, data }));
}

export async function recordEpoch(jobId: string, epoch: number) {
  await inTransaction(({ tx }) => tx.update(labJobs).set({ epoch }).where(eq(labJobs.id, jobId)));
}

/** End a running job (the job process, or the runner when the process died). */
export async function finishJob(
  jobId: string,
  status: Exclude<JobStatus, "queued" | "running">,
  error?: string,
) {
  await inTransaction(async ({ tx }) => {
    const ended = (
      await tx
        .update(labJobs)
        .set({ status, error: error ?? null, finishedAt: new Date(), runner: null })
        .where(and(eq(labJobs.id, jobId), eq(labJobs.status, "running")))
        .returning()
    )[0];
    if (ended) {
      await tx
        .insert(labJobEvents)
        .values({ jobId, kind: "status", data: { status, ...(error ? { error } : {}) } });
    }
  });
}

/** Claim the oldest queued job when none is running (one job at a time, across instances). */
export async function claimNextJob(runner: string): Promise<LabJob | undefined> {
  return await inTransaction(async ({ tx }) => {
    const running = (
      await tx
        .select({ id: labJobs.id })
        .from(labJobs)
        .where(eq(labJobs.status, "running"))
        .limit(1)
    )[0];
    if (running) return undefined;
    const next = (
      await tx
        .select()
        .from(labJobs)
        .where(eq(labJobs.status, "queued"))
        .orderBy(asc(labJobs.createdAt))
        .limit(1)
    )[0];
    if (!next) return undefined;
    const claimed = (
      await tx
        .update(labJobs)
        .set({ status: "running", runner, startedAt: next.startedAt ?? new Date() })
        .where(and(eq(labJobs.id, next.id), eq(labJobs.status, "queued")))
        .returning()
    )[0];
    await tx.insert(labJobEvents).values({
      jobId: next.id,
      kind: "status",
      data: { status: "running", resumeAfterEpoch: next.epoch },
    });
    return claimed;
  });
}

export async function setRunner(jobId: string, runner: string) {
  await inTransaction(({ tx }) => tx.update(labJobs).set({ runner }).where(eq(labJobs.id, jobId)));
}

export async function runningJobs(): Promise<LabJob[]> {
  return await getDb().select().from(labJobs).where(eq(labJobs.status, "running"));
}

/** A job whose process is gone goes back to the queue; it resumes from its last checkpoint. */
export async function requeueJob(jobId: string) {
  await inTransaction(({ tx }) =>
    tx
      .update(labJobs)
      .set({ status: "queued", runner: null })
      .where(and(eq(labJobs.id, jobId), eq(labJobs.status, "running"))),
  );
}
