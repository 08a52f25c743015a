/**
 * Who sees a consultation: its patient always; its doctor only while it is shared (not
 * withdrawn, not revoked). Every other module asks here; what the actor may not see is
 * undefined, which the callers turn into a 404.
 */
import { and, eq, isNull, ne } from "drizzle-orm";
import { getDb } from "#db/client";
import { consultations, doctorProfiles, type Consultation } from "#db/schema";
import { can, type Actor } from "~/auth/permissions";

export type Side = "patient" | "doctor";

/** The consultation if the actor is its patient, or its doctor while it is shared. */
export function visibleTo(actor: Actor, id: string, side: Side): Consultation | undefined {
  const db = getDb();
  if (side === "patient") {
    if (!can(actor, { type: "patient:access" })) return undefined;
    return db
      .select()
      .from(consultations)
      .where(and(eq(consultations.id, id), eq(consultations.patientId, actor.id)))
      .get();
  }
  if (!can(actor, { type: "doctor:access" })) return undefined;
  const row = db
    .select({ c: consultations })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .where(
      and(
        eq(consultations.id, id),
        eq(doctorProfiles.userId, actor.id),
        isNull(consultations.revokedAt),
        ne(consultations.status, "withdrawn"),
      ),
    )
    .get();
  return row?.c;
}
