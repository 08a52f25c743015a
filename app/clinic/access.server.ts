/**
 * Who may keep clinic records: a doctor whose profile is certified (docs/decisions/061),
 * and, for one clinic patient, only the doctor who registered them. What the actor may
 * not see does not exist for them (404); a doctor awaiting verification is told why (403).
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { clinicPatients, doctorProfiles, type ClinicPatient } from "#db/schema";
import { can, type Actor } from "~/auth/permissions";
import { isCertified } from "~/doctors/vocabulary";
import { forbidden, notFound } from "~/errors/domain-error";

export const NOT_CERTIFIED =
  "Clinic records are open to certified hematologists. Your certification has not been verified (or is suspended); see your dashboard.";

/** The acting doctor's certified profile, or the refusal. */
export async function certifiedProfileOf(actor: Actor): Promise<{ id: string }> {
  if (!can(actor, { type: "clinic:use" })) notFound();
  const profile = (
    await getDb()
      .select({ id: doctorProfiles.id, status: doctorProfiles.status })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.userId, actor.id))
      .limit(1)
  )[0];
  if (!profile) notFound();
  if (!isCertified(profile.status)) throw forbidden(NOT_CERTIFIED);
  return { id: profile.id };
}

/** One of the acting doctor's own clinic patients (another doctor's is a 404). */
export async function ownClinicPatient(actor: Actor, id: string): Promise<ClinicPatient> {
  await certifiedProfileOf(actor);
  const row = (
    await getDb()
      .select()
      .from(clinicPatients)
      .where(and(eq(clinicPatients.id, id), eq(clinicPatients.doctorId, actor.id)))
      .limit(1)
  )[0];
  if (!row || !can(actor, { type: "clinic:patient", doctorId: row.doctorId })) notFound();
  return row;
}
