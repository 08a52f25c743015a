/**
 * Datasets of the model lab: an uploaded archive is checked, unpacked and reported on in a
 * temporary folder of the request, then stored in the dataset store (the app's file store or
 * bucket, ./dataset-store.server.ts); it waits (staged) until someone accepts it for training or
 * discards it. A refusal at any step leaves nothing behind: no row, no stored file, no upload.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { and, desc, eq, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import { labDatasets, labJobDatasets, labJobs, type LabDataset } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { getEnv } from "~/env.server";
import { conflict, invalid, notFound } from "~/errors/domain-error";
import { inTransaction } from "~/data/unit-of-work.server";
import { logError } from "~/http/request-context.server";
import { extractPlan, openArchive, planLayout } from "./archive.server";
import {
  DATASET_ORPHAN_GRACE_MS,
  getDatasetStore,
  type DatasetStore,
} from "./dataset-store.server";
import { archiveLimits, type ArchiveLimits } from "./limits";
import { buildReport, manifestCsv } from "./report.server";
import { incomingRoot } from "./upload.server";
import { ACTIVE_JOB_STATUSES } from "./vocabulary";

function requireLab(actor: Actor) {
  if (!can(actor, { type: "lab:use" })) notFound();
}

export function validDatasetName(raw: FormDataEntryValue | null, fallback: string): string {
  const name = (typeof raw === "string" ? raw : "").trim() || fallback.replace(/\.zip$/i, "");
  if (name.length < 1 || name.length > 80) {
    throw invalid("Give the dataset a name of at most 80 characters.", "name");
  }
  return name;
}

/**
 * Check, unpack and report on an uploaded archive in a temporary folder (removed whatever
 * happens), store its files, then record it as staged. The caller removes the upload itself
 * afterwards. Files are stored before the row commits; when anything fails after the first
 * one is written they are removed again, and a crash leaves files no row names, which
 * `sweepDatasetFiles` removes.
 */
export async function stageDataset(
  actor: Actor,
  input: { archive: string | null; name: string },
  limits: ArchiveLimits = archiveLimits(getEnv()),
  store: DatasetStore = getDatasetStore(),
): Promise<LabDataset> {
  requireLab(actor);
  if (!input.archive) throw invalid("Choose a zip archive to upload.", "dataset");
  const id = crypto.randomUUID();
  const dir = path.join(incomingRoot(), `dataset-${id}`);
  let stored = false;
  const archive = await openArchive(input.archive, limits);
  try {
    const plan = await planLayout(archive);
    await extractPlan(archive, plan, dir, limits);
    archive.zip.close();
    const { report, rows } = await buildReport(dir, plan);
    if (report.images === 0) {
      throw invalid(
        "The archive holds no usable image: every file was skipped (see the reasons in the class folders).",
        "dataset",
        422,
      );
    }
    await fsp.writeFile(path.join(dir, "manifest.csv"), manifestCsv(rows));
    await fsp.writeFile(path.join(dir, "report.json"), JSON.stringify(report));
    let bytes = 0;
    for (const row of rows) bytes += (await fsp.stat(path.join(dir, row.file))).size;
    stored = true;
    await store.putFolder(id, dir);
    return await inTransaction(async ({ tx }) => {
      const row = (
        await tx
          .insert(labDatasets)
          .values({
            id,
            name: input.name,
            images: report.images,
            bytes,
            report,
            uploadedBy: actor.id,
          })
          .returning()
      )[0];
      await auditSuccess(
        actor,
        "lab.dataset.upload",
        { targetType: "lab_dataset", targetId: id, detail: `${report.images} images` },
        tx,
      );
      return row;
    });
  } catch (error) {
    archive.zip.close();
    if (stored) {
      await store
        .deleteAll(id)
        .catch((failed: unknown) =>
          logError(`removing the files of refused dataset ${id}`, failed),
        );
    }
    throw error;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

export async function listDatasets(actor: Actor): Promise<LabDataset[]> {
  requireLab(actor);
  return await getDb().select().from(labDatasets).orderBy(desc(labDatasets.createdAt));
}

export async function getDataset(actor: Actor, id: string): Promise<LabDataset> {
  requireLab(actor);
  const row = (await getDb().select().from(labDatasets).where(eq(labDatasets.id, id)).limit(1))[0];
  if (!row) notFound();
  return row;
}

/** Accept a staged dataset for training, after reading its report. */
export async function acceptDataset(actor: Actor, id: string): Promise<LabDataset> {
  const dataset = await getDataset(actor, id);
  if (dataset.status !== "staged") throw conflict("This dataset is already accepted.");
  return await inTransaction(async ({ tx }) => {
    const row = (
      await tx
        .update(labDatasets)
        .set({ status: "accepted", acceptedAt: new Date() })
        .where(eq(labDatasets.id, id))
        .returning()
    )[0];
    await auditSuccess(
      actor,
      "lab.dataset.accept",
      { targetType: "lab_dataset", targetId: id },
      tx,
    );
    return row;
  });
}

/** Delete a dataset (staged or accepted): its row, then its files once that has committed. */
export async function deleteDataset(
  actor: Actor,
  id: string,
  store: DatasetStore = getDatasetStore(),
): Promise<void> {
  await getDataset(actor, id);
  const inUse = (
    await getDb()
      .select({ id: labJobs.id })
      .from(labJobDatasets)
      .innerJoin(labJobs, eq(labJobs.id, labJobDatasets.jobId))
      .where(and(eq(labJobDatasets.datasetId, id), inArray(labJobs.status, ACTIVE_JOB_STATUSES)))
      .limit(1)
  )[0];
  if (inUse) throw conflict("A training job is using this dataset; cancel it first.");
  await inTransaction(async (uow) => {
    await uow.tx.delete(labDatasets).where(eq(labDatasets.id, id));
    await auditSuccess(
      actor,
      "lab.dataset.delete",
      { targetType: "lab_dataset", targetId: id },
      uow.tx,
    );
    // What a failed removal leaves, no row names: the sweep removes it.
    uow.afterCommit(() => store.deleteAll(id));
  });
}

/** One file of a dataset the actor may see (its manifest, one of its images). */
export async function readDatasetFile(
  actor: Actor,
  id: string,
  file: string,
  store: DatasetStore = getDatasetStore(),
): Promise<Buffer | null> {
  await getDataset(actor, id);
  return await store.get(id, file);
}

/**
 * Remove stored dataset files that no dataset row names: what a crash between the files and the
 * row, or a failed removal after a deletion, left. Files younger than the grace may belong to an
 * upload still being stored (its row follows them), so they wait for a later sweep. The store is
 * listed before the rows are read, so a row committed meanwhile is seen.
 */
export async function sweepDatasetFiles(
  now = new Date(),
  store: DatasetStore = getDatasetStore(),
): Promise<{ orphans: number }> {
  const listed = await store.list();
  const ids = listed.map((entry) => entry.id);
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await getDb()
      .select({ id: labDatasets.id })
      .from(labDatasets)
      .where(inArray(labDatasets.id, ids.slice(i, i + 500)));
    for (const row of rows) known.add(row.id);
  }
  let orphans = 0;
  for (const entry of listed) {
    if (known.has(entry.id)) continue;
    if (entry.writtenAt.getTime() > now.getTime() - DATASET_ORPHAN_GRACE_MS) continue;
    await store.deleteAll(entry.id);
    orphans += 1;
  }
  return { orphans };
}
