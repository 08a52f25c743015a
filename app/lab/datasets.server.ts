/**
 * Datasets of the model lab: an uploaded archive is checked, unpacked and reported on; it waits
 * (staged) until someone accepts it for training or discards it. A refusal at any step leaves
 * nothing behind: no row, no folder, no upload.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { and, desc, eq, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import { labDatasets, labJobDatasets, labJobs, type LabDataset } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { getEnv } from "~/env.server";
import { conflict, invalid, notFound } from "~/errors/domain-error";
import { inTransaction } from "~/data/unit-of-work.server";
import { extractPlan, openArchive, planLayout } from "./archive.server";
import { archiveLimits, type ArchiveLimits } from "./limits";
import { buildReport, manifestCsv } from "./report.server";
import { labRoot } from "./upload.server";

export const datasetsRoot = () => path.join(labRoot(), "datasets");

const DATASET_ID = /^[0-9a-f-]{36}$/;

/** The folder of a dataset (class folders and manifest.csv), as the training code reads it. */
export function datasetDir(id: string): string {
  if (!DATASET_ID.test(id)) notFound();
  return path.join(datasetsRoot(), id);
}

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
 * Check, unpack and report on an uploaded archive, then record it as staged. The caller
 * removes the upload itself afterwards.
 */
export async function stageDataset(
  actor: Actor,
  input: { archive: string | null; name: string },
  limits: ArchiveLimits = archiveLimits(getEnv()),
): Promise<LabDataset> {
  requireLab(actor);
  if (!input.archive) throw invalid("Choose a zip archive to upload.", "dataset");
  const id = crypto.randomUUID();
  const dir = path.join(datasetsRoot(), id);
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
      await audit(
        {
          actorId: actor.id,
          action: "lab.dataset.upload",
          outcome: "success",
          targetType: "lab_dataset",
          targetId: id,
          detail: `${report.images} images`,
        },
        tx,
      );
      return row;
    });
  } catch (error) {
    archive.zip.close();
    await fsp.rm(dir, { recursive: true, force: true });
    throw error;
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
    await audit(
      {
        actorId: actor.id,
        action: "lab.dataset.accept",
        outcome: "success",
        targetType: "lab_dataset",
        targetId: id,
      },
      tx,
    );
    return row;
  });
}

/** Delete a dataset (staged or accepted): its row, then its files once that has committed. */
export async function deleteDataset(actor: Actor, id: string): Promise<void> {
  await getDataset(actor, id);
  const dir = datasetDir(id);
  const inUse = (
    await getDb()
      .select({ id: labJobs.id })
      .from(labJobDatasets)
      .innerJoin(labJobs, eq(labJobs.id, labJobDatasets.jobId))
      .where(and(eq(labJobDatasets.datasetId, id), inArray(labJobs.status, ["queued", "running"])))
      .limit(1)
  )[0];
  if (inUse) throw conflict("A training job is using this dataset; cancel it first.");
  await inTransaction(async (uow) => {
    await uow.tx.delete(labDatasets).where(eq(labDatasets.id, id));
    await audit(
      {
        actorId: actor.id,
        action: "lab.dataset.delete",
        outcome: "success",
        targetType: "lab_dataset",
        targetId: id,
      },
      uow.tx,
    );
    uow.afterCommit(() => fsp.rm(dir, { recursive: true, force: true }));
  });
}
