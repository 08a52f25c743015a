/**
 * A doctor's own clinic patients: register (a probable duplicate is shown before saving),
 * find by name or clinic ID, open one with their records. Scoped by the acting doctor;
 * every read that shows a patient is audited.
 */
import crypto from "node:crypto";
import { and, asc, count, desc, eq, ne, or, sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, clinicPatients, consultations, doctorProfiles, users } from "#db/schema";
import type { ClinicPatient } from "#db/schema";
import { asCount, isUniqueViolation } from "~/data/sql-dialect.server";
import { auditSuccess } from "~/audit/audit.server";
import type { Actor } from "~/auth/permissions";
import { doctorSees } from "~/consultations/access.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { containsText } from "~/data/listing.server";
import { conflict, invalid, notFound } from "~/errors/domain-error";
import { getImageStore } from "~/uploads/storage.server";
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

/** Who a listed patient is: enough to tell two apart (duplicates, the search). */
const whoFields = {
  id: clinicPatients.id,
  clinicRef: clinicPatients.clinicRef,
  name: clinicPatients.name,
  birthDate: clinicPatients.birthDate,
};

/** A read of clinic patient data, in the audit log (a write: through a unit of work). */
export const auditClinicRead = (actor: Actor, action: string, targetId?: string) =>
  inTransaction(async ({ tx }) => {
    await auditSuccess(
      actor,
      action,
      targetId ? { targetType: "clinic_patient", targetId } : {},
      tx,
    );
  });

/**
 * The doctor's patients with the same clinic ID (ignoring case), or the same name and birth
 * date; `except` leaves out the patient being edited.
 */
export async function findDuplicates(
  actor: Actor,
  input: Pick<ClinicPatientInput, "clinicRef" | "name" | "birthDate">,
  except?: string,
): Promise<Duplicate[]> {
  await certifiedProfileOf(actor);
  const sameRef = sql`lower(${clinicPatients.clinicRef}) = ${input.clinicRef.toLowerCase()}`;
  const samePerson = and(
    eq(clinicPatients.nameKey, nameKey(input.name)),
    eq(clinicPatients.birthDate, input.birthDate),
  );
  const rows = await getDb()
    .select(whoFields)
    .from(clinicPatients)
    .where(
      and(
        eq(clinicPatients.doctorId, actor.id),
        or(sameRef, samePerson),
        except ? ne(clinicPatients.id, except) : undefined,
      ),
    )
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
export type UpdateResult =
  { status: "updated"; patient: ClinicPatient } | { status: "duplicates"; duplicates: Duplicate[] };

/** The same clinic ID always stops the save; the same name and birth date until confirmed. */
const stopsAt = (duplicates: Duplicate[], input: ClinicPatientInput) =>
  duplicates.some((d) => d.reason === "clinicRef") ||
  (duplicates.length > 0 && !input.confirmDuplicate);

export const CLINIC_REF_TAKEN =
  "You already have a patient with this clinic patient ID. Open their record, or give another ID.";
export const SAME_PERSON =
  "This may be a patient you already registered (same name and date of birth). Open their record, or confirm that this is another person.";

/** Two forms with the same clinic ID at once: one is saved, the other is told. */
async function onceForTheClinicRef<T>(save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(CLINIC_REF_TAKEN);
    throw error;
  }
}

/** The columns a clinic patient's form writes. */
const detailsOf = (input: ClinicPatientInput) => ({
  clinicRef: input.clinicRef,
  name: input.name,
  nameKey: nameKey(input.name),
  birthDate: input.birthDate,
  sex: input.sex,
  contact: input.contact || null,
});

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
  if (stopsAt(duplicates, input)) return { status: "duplicates", duplicates };
  return onceForTheClinicRef(async () => {
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
        .values({ doctorId: actor.id, ...detailsOf(input), holderId: holder.id })
        .returning();
      await auditSuccess(
        actor,
        "clinic.patient.create",
        { targetType: "clinic_patient", targetId: row.id },
        tx,
      );
      return row;
    });
    return { status: "created" as const, patient };
  });
}

/**
 * Correct a clinic patient's details: duplicates are warned of as at registration (the
 * patient themself left out), the clinic ID stays unique. Until the records are claimed the
 * record-holder account carries the new name too. Audited with the names of the changed fields.
 */
export async function updateClinicPatient(
  actor: Actor,
  id: string,
  input: ClinicPatientInput,
): Promise<UpdateResult> {
  const before = await ownClinicPatient(actor, id);
  const duplicates = await findDuplicates(actor, input, before.id);
  if (stopsAt(duplicates, input)) return { status: "duplicates", duplicates };
  const details = detailsOf(input);
  const changed = (Object.keys(details) as (keyof typeof details)[]).filter(
    (k) => k !== "nameKey" && details[k] !== before[k],
  );
  return onceForTheClinicRef(async () => {
    const patient = await inTransaction(async ({ tx }) => {
      const [row] = await tx
        .update(clinicPatients)
        .set(details)
        .where(and(eq(clinicPatients.id, before.id), eq(clinicPatients.doctorId, actor.id)))
        .returning();
      if (!row) notFound();
      await tx
        .update(users)
        .set({ displayName: input.name })
        .where(and(eq(users.id, row.holderId), eq(users.passwordHash, HOLDER_PASSWORD_HASH)));
      await auditSuccess(
        actor,
        "clinic.patient.update",
        {
          targetType: "clinic_patient",
          targetId: row.id,
          detail: changed.join(",") || "nothing changed",
        },
        tx,
      );
      return row;
    });
    return { status: "updated" as const, patient };
  });
}

export const HAS_RECORDS = (n: number) =>
  `This patient has ${n} ${n === 1 ? "record" : "records"}. To remove them too, tick “Erase the records” and type the clinic patient ID again.`;
export const CLAIMED_RECORDS =
  "This patient has claimed their records: they are in the patient's own account now, and only the patient can delete them.";
export const CONFIRM_REF_MISMATCH =
  "Type the patient's clinic patient ID exactly as shown to confirm the erasure.";

/** How many records (analyses) a clinic patient has with this doctor, and in all. */
async function recordCount(patient: ClinicPatient): Promise<number> {
  const db = getDb();
  const own = await db
    .select({ n: count() })
    .from(consultations)
    .where(eq(consultations.clinicPatientId, patient.id));
  if (patient.claimedAt) return own[0]?.n ?? 0;
  // Unclaimed: everything the record-holder account holds is the clinic patient's.
  const held = await db
    .select({ n: count() })
    .from(analyses)
    .where(eq(analyses.patientId, patient.holderId));
  return Math.max(own[0]?.n ?? 0, held[0]?.n ?? 0);
}

export type DeletedClinicPatient = { erasedAnalyses: number };

/**
 * Delete a clinic patient. Without records: the entry and its record-holder account go. With
 * records, only on an explicit erasure (`erase` and the clinic ID typed again), as a patient's
 * own account deletion does it (decision 036): one unit of work removes the record-holder
 * account, and with it by the schema's cascades the analyses, consultations, messages,
 * notifications and upload journal, and the clinic patient with their invitations; the images
 * leave the store after the commit. Records a patient has claimed are theirs: refused.
 */
export async function deleteClinicPatient(
  actor: Actor,
  id: string,
  request: { erase?: boolean; confirmClinicRef?: string } = {},
): Promise<DeletedClinicPatient> {
  const patient = await ownClinicPatient(actor, id);
  const records = await recordCount(patient);
  if (records > 0 && patient.claimedAt) throw conflict(CLAIMED_RECORDS);
  if (records > 0 && !request.erase) throw conflict(HAS_RECORDS(records));
  if (records > 0 && request.confirmClinicRef?.toLowerCase() !== patient.clinicRef.toLowerCase()) {
    throw invalid(CONFIRM_REF_MISMATCH, "confirmClinicRef");
  }
  const imageKeys = await inTransaction(async ({ tx }) => {
    const keys = patient.claimedAt
      ? []
      : (
          await tx
            .select({ key: analyses.imageKey })
            .from(analyses)
            .where(eq(analyses.patientId, patient.holderId))
        ).map((r) => r.key);
    const [gone] = await tx
      .delete(clinicPatients)
      .where(and(eq(clinicPatients.id, patient.id), eq(clinicPatients.doctorId, actor.id)))
      .returning({ id: clinicPatients.id });
    if (!gone) notFound();
    // Only a record holder is removed (a claimed patient's own account stays).
    await tx
      .delete(users)
      .where(and(eq(users.id, patient.holderId), eq(users.passwordHash, HOLDER_PASSWORD_HASH)));
    await auditSuccess(
      actor,
      records > 0 ? "clinic.patient.erase" : "clinic.patient.delete",
      { targetType: "clinic_patient", targetId: patient.id, detail: `${keys.length} analyses` },
      tx,
    );
    return keys;
  });
  const store = getImageStore();
  for (const key of imageKeys) await store.deleteAll(key);
  return { erasedAnalyses: imageKeys.length };
}

/** The doctor's clinic patients whose name or clinic ID contains `q` (all of them without). */
export async function searchClinicPatients(actor: Actor, q?: string) {
  await certifiedProfileOf(actor);
  const text = q?.trim();
  const rows = await getDb()
    .select({
      ...whoFields,
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

/** A clinic patient's details as the pages show them (dates as text). */
const patientDetails = (p: ClinicPatient) => ({
  id: p.id,
  clinicRef: p.clinicRef,
  name: p.name,
  birthDate: p.birthDate,
  sex: p.sex,
  contact: p.contact ?? "",
  claimedAt: p.claimedAt?.toISOString() ?? null,
});

/** One clinic patient of the doctor, as the pages show them, with their records; audited. */
export async function getClinicPatient(actor: Actor, id: string) {
  const patient = await ownClinicPatient(actor, id);
  const records = await recordsOf(actor, id);
  await auditClinicRead(actor, "clinic.patient.read", id);
  return { patient: patientDetails(patient), records };
}
