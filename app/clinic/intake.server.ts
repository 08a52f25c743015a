/**
 * A doctor analyses a smear for a clinic patient: the patients' intake (checks, classifier,
 * capture normalisation, heat-map, idempotency), and in the same transaction the doctor's own
 * consultation of it, already accepted: the record the final-answer form, the records browser
 * and the statistics read (docs/decisions/061).
 */
import { and, eq, isNotNull } from "drizzle-orm";
import type { z } from "zod";
import { getDb } from "#db/client";
import { consultations, type Analysis } from "#db/schema";
import type { Actor } from "~/auth/permissions";
import { uploadAnalysis } from "~/analyses/upload.server";
import type { UploadSchema } from "~/analyses/validation";
import type { AgeBracket } from "~/analyses/vocabulary";
import { auditConsultation } from "~/consultations/lifecycle.server";
import { notFound } from "~/errors/domain-error";
import { certifiedProfileOf, ownClinicPatient } from "./access.server";

/** Child or adult on the day of the analysis, from the date of birth (YYYY-MM-DD). */
export function ageBracketOn(birthDate: string, day: Date): AgeBracket {
  const today = day.toISOString().slice(0, 10);
  const eighteenth = `${Number(birthDate.slice(0, 4)) + 18}${birthDate.slice(4)}`;
  return today < eighteenth ? "child" : "adult";
}

/** Returns the analysis and the consultation the doctor decides on. */
export async function analyseForClinicPatient(
  actor: Actor,
  clinicPatientId: string,
  upload: z.output<typeof UploadSchema>,
  request: Request,
): Promise<{ analysis: Analysis; consultationId: string }> {
  const patient = await ownClinicPatient(actor, clinicPatientId);
  const profile = await certifiedProfileOf(actor);
  const now = new Date();
  const ageBracket = ageBracketOn(patient.birthDate, now);
  let consultationId = "";
  const analysis = await uploadAnalysis(actor, { ...upload, ageBracket }, request, {
    patientId: patient.holderId,
    record: async (tx, row) => {
      const [opened] = await tx
        .insert(consultations)
        .values({
          analysisId: row.id,
          patientId: patient.holderId,
          doctorProfileId: profile.id,
          clinicPatientId: patient.id,
          // The doctor's own patient: nothing to request, accept or consent to by message.
          status: "accepted",
          message: "",
          ageBracket,
          consentAt: now,
          requestedAt: now,
          acceptedAt: now,
        })
        .returning({ id: consultations.id });
      consultationId = opened.id;
      await auditConsultation(actor, "consultation.clinic-open", opened.id, tx);
    },
  });
  // A retried upload (same key) answers the first analysis: find its consultation.
  if (!consultationId) consultationId = await clinicConsultationOf(analysis.id);
  return { analysis, consultationId };
}

async function clinicConsultationOf(analysisId: string): Promise<string> {
  const row = (
    await getDb()
      .select({ id: consultations.id })
      .from(consultations)
      .where(
        and(eq(consultations.analysisId, analysisId), isNotNull(consultations.clinicPatientId)),
      )
      .limit(1)
  )[0];
  return row?.id ?? notFound();
}
