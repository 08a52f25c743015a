import { and, desc, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, type Analysis } from "#db/schema";
import { notFound } from "~/auth/guards.server";
import type { Actor } from "~/auth/permissions";

/** The patient's own analysis; anyone else's (or a missing one) is a 404. */
export function getOwnAnalysis(actor: Actor, id: string): Analysis {
  if (actor.role !== "patient") notFound();
  const row = getDb()
    .select()
    .from(analyses)
    .where(and(eq(analyses.id, id), eq(analyses.patientId, actor.id)))
    .get();
  return row ?? notFound();
}

/** The patient's analyses, newest first. */
export function listOwnAnalyses(actor: Actor): Analysis[] {
  if (actor.role !== "patient") notFound();
  return getDb()
    .select()
    .from(analyses)
    .where(eq(analyses.patientId, actor.id))
    .orderBy(desc(analyses.createdAt))
    .all();
}
