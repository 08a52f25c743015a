/**
 * Training jobs of the model lab: an admin starts one on an accepted dataset with a recipe; the
 * runner (runner.server.ts) trains one at a time in a child process; the job page follows its
 * events. Also the job process's own writes (events, epochs, the end), which act for no user.
 */
import crypto from "node:crypto";
import path from "node:path";
import { and, asc, desc, eq, gt, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import { labDatasets, labJobEvents, labJobs, type LabJob, type LabRecipe } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { inTransaction } from "~/data/unit-of-work.server";
import { conflict, invalid, notFound } from "~/errors/domain-error";
import { labRoot } from "./upload.server";
import type { RecipeInput } from "./validation";
import type { JobEventKind, JobStatus } from "./vocabulary";

export const jobsRoot = () => path.join(labRoot(), "jobs");

const JOB_ID = /^[0-9a-f-]{36}$/;

export function jobDir(id: string): string {
  if (!JOB_ID.test(id)) notFound();
  return path.join(jobsRoot(), id);
}

/** The candidate model's folder (its name is the version, as `runtime.json` records it). */
export const candidateDir = (job: Pick<LabJob, "id" | "version">) =>
  path.join(jobDir(job.id), job.version);

function requireLab(actor: Actor) {
  if (!can(actor, { type: "lab:use" })) notFound();
}

function newVersion(now = new Date()): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  return `lab-${stamp}-${crypto.randomBytes(3).toString("hex")}`;
}

export function createJob(actor: Actor, input: RecipeInput): LabJob {
  requireLab(actor);
  const dataset = getDb()
    .select()
    .from(labDatasets)
    .where(eq(labDatasets.id, input.datasetId))
    .get();
  if (!dataset) throw invalid("Choose a dataset", "datasetId");
  if (dataset.status !== "accepted") {
    throw invalid(
      "Accept the dataset after reading its report before training on it.",
      "datasetId",
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
  return inTransaction(({ tx }) => {
    const job = tx
      .insert(labJobs)
      .values({
        datasetId: dataset.id,
        datasetName: dataset.name,
        version: newVersion(),
        recipe,
        createdBy: actor.id,
      })
      .returning()
      .get();
    audit(
      {
        actorId: actor.id,
        action: "lab.job.create",
        outcome: "success",
        targetType: "lab_job",
        targetId: job.id,
        detail: `${dataset.name}: ${recipe.architecture}, ${recipe.epochs} epochs, seed ${recipe.seed}`,
      },
      tx,
    );
    return job;
  });
}

export function listJobs(actor: Actor): LabJob[] {
  requireLab(actor);
  return getDb().select().from(labJobs).orderBy(desc(labJobs.createdAt)).all();
}

export function getJob(actor: Actor, id: string): LabJob {
  requireLab(actor);
  const job = getDb().select().from(labJobs).where(eq(labJobs.id, id)).get();
  if (!job) notFound();
  return job;
}

/** A queued job is cancelled at once; a running one stops at its next batch. */
export function cancelJob(actor: Actor, id: string): void {
  const job = getJob(actor, id);
  if (job.status !== "queued" && job.status !== "running") {
    throw conflict("This job has already ended.");
  }
  inTransaction(({ tx }) => {
    tx.update(labJobs)
      .set(
        job.status === "queued"
          ? { status: "cancelled", cancelRequested: true, finishedAt: new Date() }
          : { cancelRequested: true },
      )
      .where(and(eq(labJobs.id, id), inArray(labJobs.status, ["queued", "running"])))
      .run();
    audit(
      {
        actorId: actor.id,
        action: "lab.job.cancel",
        outcome: "success",
        targetType: "lab_job",
        targetId: id,
      },
      tx,
    );
  });
}

export type JobEventRow = { id: number; kind: JobEventKind; data: Record<string, unknown> };

/** A job's events after `afterId`, in order (the page's curves and its live stream). */
export function jobEvents(
  actor: Actor,
  id: string,
  afterId = 0,
  kinds?: JobEventKind[],
): JobEventRow[] {
  getJob(actor, id);
  return getDb()
    .select({ id: labJobEvents.id, kind: labJobEvents.kind, data: labJobEvents.data })
    .from(labJobEvents)
    .where(
      and(
        eq(labJobEvents.jobId, id),
        gt(labJobEvents.id, afterId),
        kinds ? inArray(labJobEvents.kind, kinds) : undefined,
      ),
    )
    .orderBy(asc(labJobEvents.id))
    .all();
}

// ── the job process and the runner (system work, no acting user) ────────────────────────

export function readJob(id: string): LabJob | undefined {
  return getDb().select().from(labJobs).where(eq(labJobs.id, id)).get();
}

export function recordEvent(jobId: string, kind: JobEventKind, data: Record<string, unknown>) {
  getDb().insert(labJobEvents).values({ jobId, kind, data }).run();
}

export function recordEpoch(jobId: string, epoch: number) {
  getDb().update(labJobs).set({ epoch }).where(eq(labJobs.id, jobId)).run();
}

/** End a running job (the job process, or the runner when the process died). */
export function finishJob(
  jobId: string,
  status: Exclude<JobStatus, "queued" | "running">,
  error?: string,
) {
  inTransaction(({ tx }) => {
    const ended = tx
      .update(labJobs)
      .set({ status, error: error ?? null, finishedAt: new Date(), runner: null })
      .where(and(eq(labJobs.id, jobId), eq(labJobs.status, "running")))
      .returning()
      .get();
    if (ended) {
      tx.insert(labJobEvents)
        .values({ jobId, kind: "status", data: { status, ...(error ? { error } : {}) } })
        .run();
    }
  });
}

/** Claim the oldest queued job when none is running (one job at a time, across instances). */
export function claimNextJob(runner: string): LabJob | undefined {
  return inTransaction(({ tx }) => {
    const running = tx
      .select({ id: labJobs.id })
      .from(labJobs)
      .where(eq(labJobs.status, "running"))
      .get();
    if (running) return undefined;
    const next = tx
      .select()
      .from(labJobs)
      .where(eq(labJobs.status, "queued"))
      .orderBy(asc(labJobs.createdAt))
      .get();
    if (!next) return undefined;
    const claimed = tx
      .update(labJobs)
      .set({ status: "running", runner, startedAt: next.startedAt ?? new Date() })
      .where(and(eq(labJobs.id, next.id), eq(labJobs.status, "queued")))
      .returning()
      .get();
    tx.insert(labJobEvents)
      .values({
        jobId: next.id,
        kind: "status",
        data: { status: "running", resumeAfterEpoch: next.epoch },
      })
      .run();
    return claimed;
  });
}

export function setRunner(jobId: string, runner: string) {
  getDb().update(labJobs).set({ runner }).where(eq(labJobs.id, jobId)).run();
}

export function runningJobs(): LabJob[] {
  return getDb().select().from(labJobs).where(eq(labJobs.status, "running")).all();
}

/** A job whose process is gone goes back to the queue; it resumes from its last checkpoint. */
export function requeueJob(jobId: string) {
  getDb()
    .update(labJobs)
    .set({ status: "queued", runner: null })
    .where(and(eq(labJobs.id, jobId), eq(labJobs.status, "running")))
    .run();
}
