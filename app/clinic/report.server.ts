/**
 * A clinic record as its doctor prints and exports it: the analysis, the clinic patient's
 * details (name, clinic ID, date of birth, sex), the practitioner and their final answer.
 * Only the doctor who registered the patient, while they see the consultation; audited.
 */
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses } from "#db/schema";
import type { Actor } from "~/auth/permissions";
import { visibleTo } from "~/consultations/access.server";
import { finalReviewFor } from "~/consultations/final.server";
import { doctorOfProfile } from "~/consultations/notices.server";
import { notFound } from "~/errors/domain-error";
import { getImageStore } from "~/uploads/storage.server";
import { certifiedProfileOf, ownClinicPatient } from "./access.server";
import { auditClinicRead } from "./patients.server";

export async function getClinicRecord(actor: Actor, consultationId: string) {
  await certifiedProfileOf(actor);
  const consultation = await visibleTo(actor, consultationId, "doctor");
  if (!consultation?.clinicPatientId) notFound();
  const patient = await ownClinicPatient(actor, consultation.clinicPatientId);
  const analysis =
    (
      await getDb().select().from(analyses).where(eq(analyses.id, consultation.analysisId)).limit(1)
    )[0] ?? notFound();
  const practitioner = await doctorOfProfile(getDb(), consultation.doctorProfileId);
  await auditClinicRead(actor, "clinic.record.read", patient.id);
  return {
    consultation,
    patient,
    analysis,
    practitioner: {
      name: practitioner?.name ?? "",
      licenceNumber: practitioner?.licenceNumber ?? null,
    },
    // Scoped above: the doctor sees this consultation and registered its patient.
    final: await finalReviewFor(analysis.id),
  };
}

/** The record's smear, for the FHIR export's inline Media. */
export async function clinicRecordImage(imageKey: string) {
  return (await getImageStore().get(imageKey, "original")) ?? notFound();
}
