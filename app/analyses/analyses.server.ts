import { and, desc, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, type Analysis } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { notFound } from "~/errors/domain-error";
import { can, type Actor } from "~/auth/permissions";
import { getImageStore, IMAGE_FILES, type ImageFile } from "~/uploads/storage.server";
import { inTransaction } from "~/data/unit-of-work.server";

async function findOwn(actor: Actor, id: string): Promise<Analysis> {
  if (!can(actor, { type: "patient:access" })) notFound();
  const row = (
    await getDb()
      .select()
      .from(analyses)
      .where(and(eq(analyses.id, id), eq(analyses.patientId, actor.id)))
      .limit(1)
  )[0];
  return row ?? notFound();
}

/** The patient's own analysis (every read is audit-logged); anyone else's is a 404. */
export async function getOwnAnalysis(actor: Actor, id: string): Promise<Analysis> {
  const row = await findOwn(actor, id);
  await audit({
    actorId: actor.id,
    action: "analysis.read",
    outcome: "success",
    targetType: "analysis",
    targetId: id,
  });
  return row;
}

/** The patient's analyses, newest first. */
export async function listOwnAnalyses(actor: Actor): Promise<Analysis[]> {
  if (!can(actor, { type: "patient:access" })) notFound();
  return await getDb()
    .select()
    .from(analyses)
    .where(eq(analyses.patientId, actor.id))
    .orderBy(desc(analyses.createdAt));
}

/** One stored image of the patient's own analysis, with its fixed content type. */
export async function readOwnAnalysisImage(actor: Actor, id: string, file: ImageFile) {
  const row = await findOwn(actor, id);
  const bytes = await getImageStore().get(row.imageKey, file);
  if (!bytes) notFound();
  await audit({
    actorId: actor.id,
    action: `analysis.image.${file}`,
    outcome: "success",
    targetType: "analysis",
    targetId: id,
  });
  return { bytes, contentType: IMAGE_FILES[file].contentType };
}

/** Delete the row and every stored file; the audit row stays. */
export async function deleteOwnAnalysis(actor: Actor, id: string): Promise<void> {
  const row = await findOwn(actor, id);
  await inTransaction(({ tx }) => tx.delete(analyses).where(eq(analyses.id, row.id)));
  await getImageStore().deleteAll(row.imageKey);
  await audit({
    actorId: actor.id,
    action: "analysis.delete",
    outcome: "success",
    targetType: "analysis",
    targetId: id,
  });
}
