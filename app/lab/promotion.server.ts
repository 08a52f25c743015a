/**
 * Comparing a lab candidate with the model in use, promoting it, and rolling back to an
 * earlier version (docs/decisions/059, 060, 078). A change is an admin's alone, confirmed by
 * typing the phrase, audited, and recorded as a `model_promotions` row that every instance
 * reads; a promoted version's files are installed in the app's store first (the models folder,
 * or the bucket), and the models folder's `current.json` is rewritten atomically after the row,
 * as the embedded default.
 */
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { desc, eq, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import { labJobs, modelPromotions, type LabJob, type ModelPromotion } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { modelsRoot, type ModelSource } from "~/classifier/files.server";
import { activeVersion, versionSource } from "~/classifier/node.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { conflict, forbidden, invalid, notFound } from "~/errors/domain-error";
import { getJob } from "./jobs.server";
import {
  getModelStore,
  MODEL_ORPHAN_GRACE_MS,
  type ModelStore,
  type StoredEntry,
} from "./model-store.server";
import {
  passesRule,
  promotionChecks,
  type MeasuredFigures,
  type RuleCheck,
} from "./promotion-rule";
import { confirmationPhrase, type PromotionKind } from "./vocabulary";

/** Both models measured on the same test images, written by the job after its evaluation. */
export type Comparison = {
  measuredAt: string;
  current: { version: string; metrics: MeasuredFigures };
  candidate: { version: string; metrics: MeasuredFigures };
};

/** Stored before the job ends (its end is the row that makes the candidate reviewable). */
export async function writeComparison(
  job: Pick<LabJob, "id">,
  comparison: Comparison,
  store: ModelStore = getModelStore(),
) {
  await store.putComparison(job.id, JSON.stringify(comparison, null, 2) + "\n");
}

const parseJson = <T>(bytes: Buffer | null): T | null => {
  if (bytes === null) return null;
  try {
    return JSON.parse(bytes.toString("utf8")) as T;
  } catch {
    return null;
  }
};
const readJson = async <T>(source: ModelSource, file: string): Promise<T | null> =>
  parseJson<T>(await source.read(file).catch(() => null));

/**
 * What is wrong with a version's files, in words (empty when they are whole): the network and
 * its weight files, the runtime settings and the card, all naming the version.
 */
export async function folderProblems(source: ModelSource, version: string): Promise<string[]> {
  const problems: string[] = [];
  const model = await readJson<{ weightsManifest?: { paths?: string[] }[] }>(source, "model.json");
  if (!model) return ["model.json is missing or unreadable"];
  const shards = (model.weightsManifest ?? []).flatMap((group) => group.paths ?? []);
  if (shards.length === 0) problems.push("model.json lists no weight files");
  for (const shard of shards) {
    if (shard === "." || shard === ".." || /[/\\]/.test(shard)) {
      problems.push(`weight file ${shard} is outside`);
    } else if (!(await source.read(shard).catch(() => null))) {
      problems.push(`the weight file ${shard} is missing`);
    }
  }
  const runtime = await readJson<{ version?: string; temperature?: number }>(
    source,
    "runtime.json",
  );
  if (!runtime) problems.push("runtime.json is missing or unreadable");
  else if (runtime.version !== version) {
    problems.push(`runtime.json names version ${runtime.version ?? "(none)"}`);
  } else if (!(typeof runtime.temperature === "number" && runtime.temperature > 0)) {
    problems.push("runtime.json has no calibration temperature");
  }
  const card = await readJson<{ version?: string; metrics?: MeasuredFigures }>(
    source,
    "model-card.json",
  );
  if (!card) problems.push("model-card.json is missing or unreadable");
  else if (card.version !== version) {
    problems.push(`the model card names version ${card.version ?? "(none)"}`);
  } else if (!card.metrics?.staged || !card.metrics.images) {
    problems.push("the model card has no test figures");
  }
  return problems;
}

export type CandidateReview = {
  job: LabJob;
  comparison: Comparison | null;
  checks: RuleCheck[];
  problems: string[];
  inUse: string;
  /** Promoted before (its files are in the models folder or the store). */
  promoted: boolean;
  /** Everything holds: the admin may promote it. */
  promotable: boolean;
};

/** A finished job's candidate beside the model in use, and whether the rule lets it through. */
export async function reviewCandidate(actor: Actor, jobId: string): Promise<CandidateReview> {
  const job = await getJob(actor, jobId);
  const store = getModelStore();
  const inUse = await activeVersion();
  const promoted = (await versionSource(job.version)) !== null;
  const comparison =
    job.status === "succeeded" ? parseJson<Comparison>(await store.getComparison(job.id)) : null;
  const problems: string[] = [];
  if (job.status !== "succeeded") problems.push("the job has not finished successfully");
  else {
    problems.push(...(await folderProblems(store.candidate(job.id, job.version), job.version)));
    if (!comparison) problems.push("the comparison with the model in use is missing");
    else if (comparison.current.version !== inUse) {
      problems.push(
        `the comparison was made against ${comparison.current.version}, but ${inUse} is in use now: train the candidate again to compare it with the model in use`,
      );
    }
  }
  if (job.version === inUse) problems.push("this version is the one in use");
  const checks = comparison
    ? promotionChecks(comparison.candidate.metrics, comparison.current.metrics)
    : [];
  return {
    job,
    comparison,
    checks,
    problems,
    inUse,
    promoted,
    promotable: problems.length === 0 && checks.length > 0 && passesRule(checks),
  };
}

function requirePromoter(actor: Actor) {
  if (!can(actor, { type: "lab:use" })) notFound();
  if (!can(actor, { type: "model:promote" })) {
    throw forbidden("Only an administrator can change the model in use.");
  }
}

function checkConfirmation(version: string, typed: string) {
  if (typed.trim() !== confirmationPhrase(version)) {
    throw invalid(`Type “${confirmationPhrase(version)}” to confirm.`, "confirmation");
  }
}

/** `current.json` through a temporary file and a rename: a reader sees the old or the new. */
export async function writeCurrentFile(version: string, root = modelsRoot()): Promise<void> {
  const temporary = path.join(root, `.current-${crypto.randomBytes(4).toString("hex")}.json`);
  await fs.writeFile(temporary, JSON.stringify({ version }) + "\n");
  await fs.rename(temporary, path.join(root, "current.json"));
}

async function recordChange(
  actor: Actor,
  change: { version: string; kind: PromotionKind; jobId: string | null; expected: string },
): Promise<ModelPromotion> {
  const row = await inTransaction(async ({ tx }) => {
    const [latest] = await tx
      .select({ version: modelPromotions.version })
      .from(modelPromotions)
      .orderBy(desc(modelPromotions.id))
      .limit(1);
    // Another admin changed the model since this page was read: do not undo their change.
    if (latest && latest.version !== change.expected) {
      throw conflict(`The model in use changed to ${latest.version} meanwhile; look again.`);
    }
    const [inserted] = await tx
      .insert(modelPromotions)
      .values({
        version: change.version,
        previousVersion: change.expected,
        kind: change.kind,
        jobId: change.jobId,
        promotedBy: actor.id,
      })
      .returning();
    await auditSuccess(
      actor,
      change.kind === "promote" ? "model.promote" : "model.rollback",
      {
        targetType: "model_version",
        targetId: change.version,
        detail: `${change.expected} → ${change.version}`,
      },
      tx,
    );
    return inserted;
  });
  await writeCurrentFile(change.version);
  return row;
}

/** Promote a finished job's candidate: the rule must hold and the admin must confirm. */
export async function promoteCandidate(
  actor: Actor,
  jobId: string,
  typed: string,
): Promise<ModelPromotion> {
  requirePromoter(actor);
  const review = await reviewCandidate(actor, jobId);
  if (review.problems.length > 0) {
    throw invalid(
      `This candidate cannot be promoted: ${review.problems.join("; ")}.`,
      undefined,
      422,
    );
  }
  const failed = review.checks.filter((c) => !c.passed);
  if (failed.length > 0 || review.checks.length === 0) {
    throw invalid(
      `This candidate does not pass the promotion rule: ${failed.map((c) => c.label).join("; ")}.`,
      undefined,
      422,
    );
  }
  checkConfirmation(review.job.version, typed);
  // The files first, then the row: a crash in between leaves files no row names (swept).
  await getModelStore().installCandidate(review.job.id, review.job.version);
  // The installed copy is checked again: what every instance will load must be whole.
  const source = await versionSource(review.job.version);
  const installed = source
    ? await folderProblems(source, review.job.version)
    : ["its files are not found"];
  if (installed.length > 0) {
    throw invalid(`The installed copy is not whole: ${installed.join("; ")}.`, undefined, 422);
  }
  return recordChange(actor, {
    version: review.job.version,
    kind: "promote",
    jobId: review.job.id,
    expected: review.inUse,
  });
}

/** Put an earlier version back in use (the build's or the store's; its files must be whole). */
export async function rollBack(actor: Actor, version: string, typed: string) {
  requirePromoter(actor);
  const source = await versionSource(version);
  if (!source) notFound();
  const inUse = await activeVersion();
  if (version === inUse) throw conflict(`${version} is already the model in use.`);
  const problems = await folderProblems(source, version);
  if (problems.length > 0) {
    throw invalid(`${version} cannot be put back in use: ${problems.join("; ")}.`, undefined, 422);
  }
  checkConfirmation(version, typed);
  const [job] = await getDb()
    .select({ id: labJobs.id })
    .from(labJobs)
    .where(eq(labJobs.version, version))
    .limit(1);
  return recordChange(actor, {
    version,
    kind: "rollback",
    jobId: job?.id ?? null,
    expected: inUse,
  });
}

export type PromotionEntry = Pick<
  ModelPromotion,
  "id" | "version" | "previousVersion" | "kind" | "createdAt"
>;

/** Every change of the model in use, newest first (public: the about page shows it, no names). */
export async function promotionHistory(limit = 50): Promise<PromotionEntry[]> {
  return getDb()
    .select({
      id: modelPromotions.id,
      version: modelPromotions.version,
      previousVersion: modelPromotions.previousVersion,
      kind: modelPromotions.kind,
      createdAt: modelPromotions.createdAt,
    })
    .from(modelPromotions)
    .orderBy(desc(modelPromotions.id))
    .limit(limit);
}

/**
 * Remove stored job outputs and lab versions that no row names: a job's files without its job,
 * a version installed by a promotion whose row never committed. Younger than the grace, they
 * may be a promotion still on its way to its row. The store is listed before the rows are read.
 */
export async function sweepModelFiles(
  now = new Date(),
  store: ModelStore = getModelStore(),
): Promise<{ orphans: number }> {
  const listed = await store.list();
  const named = async (kind: StoredEntry["kind"]) => {
    const names = listed.filter((e) => e.kind === kind).map((e) => e.name);
    const known = new Set<string>();
    for (let i = 0; i < names.length; i += 500) {
      const chunk = names.slice(i, i + 500);
      const rows =
        kind === "job"
          ? await getDb()
              .select({ name: labJobs.id })
              .from(labJobs)
              .where(inArray(labJobs.id, chunk))
          : await getDb()
              .select({ name: modelPromotions.version })
              .from(modelPromotions)
              .where(inArray(modelPromotions.version, chunk));
      for (const row of rows) known.add(row.name);
    }
    return known;
  };
  const known = { job: await named("job"), version: await named("version") };
  let orphans = 0;
  for (const entry of listed) {
    if (known[entry.kind].has(entry.name)) continue;
    if (entry.writtenAt.getTime() > now.getTime() - MODEL_ORPHAN_GRACE_MS) continue;
    await store.delete(entry);
    orphans += 1;
  }
  return { orphans };
}
