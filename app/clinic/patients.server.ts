/**
 * A doctor's own clinic patients: register (a probable duplicate is shown before saving),
 * find by name or clinic ID, open one with their records. Scoped by the acting doctor;
 * every read that shows a patient is audited.
 */
import crypto from "node:crypto";
import { and, asc, desc, eq, or, sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, clinicPatients, consultations, doctorProfiles, users } from "#db/schema";
import type { ClinicPatient } from "#db/schema";
import { asCount, isUniqueViolation } from "~/data/sql-dialect.server";
import { audit } from "~/audit/audit.server";
import type { Actor } from "~/auth/permissions";
import { doctorSees } from "~/consultations/access.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { containsText } from "~/data/listing.server";
import { conflict } from "~/errors/domain-error";
import { certifiedProfileOf, ownClinicPatient } from "./access.server";
import type { ClinicPatientInput } from "./validation";
import { nameKey } from "./vocabulary";

/**
 * A record-holder account owns a clinic patient's analyses until they claim them: it has no
 * password anyone can match (not a scrypt hash) and an address nobody can receive mail at.
 */
export const HOLDER_PASSWORD_HASH = "clinic-record-holder:no-login";
const holderEmail = () => `record-holder+${crypto.randomUUID()}@clinic.hemalink.invalid`;

export type Duplicate = {
  id: string;
  clinicRef: string;
  name: string;
  birthDate: string;
  /** Why it looks like the same person. */
  reason: "clinicRef" | "nameAndBirthDate";
};

/** A read of clinic patient data, in the audit log (a write: through a unit of work). */
export const auditClinicRead = (actor: Actor, action: string, targetId?: string) =>
  inTransaction(async ({ tx }) => {
    await audit(
      {
        actorId: actor.id,
        action,
        outcome: "success",
        ...(targetId ? { targetType: "clinic_patient", targetId } : {}),
      },
      tx,
    );
  });

/** The doctor's patients with the same clinic ID (ignoring case), or the same name and birth date. */
export async function findDuplicates(
  actor: Actor,
  input: Pick<ClinicPatientInput, "clinicRef" | "name" | "birthDate">,
): Promise<Duplicate[]> {
  await certifiedProfileOf(actor);
  const sameRef = sql`lower(${clinicPatients.clinicRef}) = ${input.clinicRef.toLowerCase()}`;
  const samePerson = and(
    eq(clinicPatients.nameKey, nameKey(input.name)),
    eq(clinicPatients.birthDate, input.birthDate),
  );
  const rows = await getDb()
    .select({
      id: clinicPatients.id,
      clinicRef: clinicPatients.clinicRef,
      name: clinicPatients.name,
      birthDate: clinicPatients.birthDate,
    })
    .from(clinicPatients)
    .where(and(eq(clinicPatients.doctorId, actor.id), or(sameRef, samePerson)))
    .limit(10);
  return rows.map((r) => ({
    ...r,
    reason:
      r.clinicRef.toLowerCase() === input.clinicRef.toLowerCase()
        ? "clinicRef"
        : "nameAndBirthDate",
  }));
}

export type CreateResult =
  { status: "created"; patient: ClinicPatient } | { status: "duplicates"; duplicates: Duplicate[] };

export const CLINIC_REF_TAKEN =
  "You already have a patient with this clinic patient ID. Open their record, or give another ID.";

/**
 * Register a patient of the doctor's practice with their record-holder account, in one
 * unit of work. A patient with the same clinic ID is refused; one with the same name and date
 * of birth comes back as a duplicate until the doctor confirms it is another person.
 */
export async function createClinicPatient(
  actor: Actor,
  input: ClinicPatientInput,
): Promise<CreateResult> {
  await certifiedProfileOf(actor);
  const duplicates = await findDuplicates(actor, input);
  if (
    duplicates.some((d) => d.reason === "clinicRef") ||
    (duplicates.length && !input.confirmDuplicate)
  ) {
    return { status: "duplicates", duplicates };
  }
  try {
    const patient = await inTransaction(async ({ tx }) => {
      const [holder] = await tx
        .insert(users)
        .values({
          email: holderEmail(),
          passwordHash: HOLDER_PASSWORD_HASH,
          role: "patient",
          displayName: input.name,
        })
        .returning({ id: users.id });
      const [row] = await tx
        .insert(clinicPatients)
        .values({
          doctorId: actor.id,
          clinicRef: input.clinicRef,
          name: input.name,
          nameKey: nameKey(input.name),
          birthDate: input.birthDate,
          sex: input.sex,
          contact: input.contact || null,
          holderId: holder.id,
        })
        .returning();
      await audit(
        {
          actorId: actor.id,
          action: "clinic.patient.create",
          outcome: "success",
          targetType: "clinic_patient",
          targetId: row.id,
        },
        tx,
      );
      return row;
    });
    return { status: "created", patient };
  } catch (error) {
    // Two forms with the same clinic ID at once: one is saved, the other is told.
    if (isUniqueViolation(error)) throw conflict(CLINIC_REF_TAKEN);
    throw error;
  }
}

/** The doctor's clinic patients whose name or clinic ID contains `q` (all of them without). */
export async function searchClinicPatients(actor: Actor, q?: string) {
  await certifiedProfileOf(actor);
  const text = q?.trim();
  const rows = await getDb()
    .select({
      id: clinicPatients.id,
      clinicRef: clinicPatients.clinicRef,
      name: clinicPatients.name,
      birthDate: clinicPatients.birthDate,
      sex: clinicPatients.sex,
      claimedAt: clinicPatients.claimedAt,
      records: asCount(
        sql`(select count(*) from ${consultations} where ${consultations.clinicPatientId} = ${clinicPatients.id})`,
      ),
    })
    .from(clinicPatients)
    .where(
      and(
        eq(clinicPatients.doctorId, actor.id),
        text
          ? or(
              containsText(clinicPatients.nameKey, nameKey(text)),
              containsText(clinicPatients.clinicRef, text),
            )
          : undefined,
      ),
    )
    .orderBy(asc(clinicPatients.nameKey), asc(clinicPatients.clinicRef))
    .limit(200);
  await auditClinicRead(actor, "clinic.patient.list");
  return rows;
}

/** The analyses the doctor recorded for a clinic patient and still sees, newest first. */
export async function recordsOf(actor: Actor, clinicPatientId: string) {
  return getDb()
    .select({
      consultationId: consultations.id,
      status: consultations.status,
      doctorClass: consultations.doctorClass,
      answeredAt: consultations.answeredAt,
      analysisId: analyses.id,
      createdAt: analyses.createdAt,
      verdict: analyses.verdict,
      topClass: analyses.topClass,
      confidence: analyses.confidence,
    })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .innerJoin(analyses, eq(analyses.id, consultations.analysisId))
    .where(and(eq(consultations.clinicPatientId, clinicPatientId), doctorSees(actor.id)))
    .orderBy(desc(analyses.createdAt));
}

/** One clinic patient of the doctor with their records; audited. */
export async function getClinicPatient(actor: Actor, id: string) {
  const patient = await ownClinicPatient(actor, id);
  const records = await recordsOf(actor, id);
  await auditClinicRead(actor, "clinic.patient.read", id);
  return { patient, records };
}
