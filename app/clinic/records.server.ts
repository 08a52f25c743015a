/**
 * The records browser: the doctor's own clinic records and the cases patients shared with
 * them, as one list (both are consultations of the doctor: docs/decisions/061), filtered by
 * the final or the model's class, agreement, date, status, origin and patient; and the image
 * browser, the same records' images grouped under their final class. Audited: it names patients.
 */
import {
  and,
  count,
  desc,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  not,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { getDb } from "#db/client";
import { analyses, clinicPatients, consultations, doctorProfiles, users } from "#db/schema";
import type { Actor } from "~/auth/permissions";
import { doctorSees } from "~/consultations/access.server";
import {
  ANSWERED_STATUSES,
  CONFIRMS_MODEL_CLASS,
  DOCTOR_CLASSES,
  type DoctorClass,
} from "~/consultations/vocabulary";
import { containsText, pageWindow } from "~/data/listing.server";
import { certifiedProfileOf } from "./access.server";
import { auditClinicRead } from "./patients.server";
import type { RecordsQuery } from "./validation";
import { IMAGES_PER_CLASS, nameKey, RECORDS_PAGE_SIZE, type Agreement } from "./vocabulary";

const patientAccount = alias(users, "patient_account");

/** Answered or since closed, with the doctor's class: a decision was recorded. */
const decided = () =>
  and(inArray(consultations.status, ANSWERED_STATUSES), isNotNull(consultations.doctorClass))!;

/** The doctor's class confirms the model's (decision 046), in SQL: one arm per answer. */
export const confirmsModelSql = (): SQL =>
  or(
    ...DOCTOR_CLASSES.flatMap((d) => {
      const confirmed = CONFIRMS_MODEL_CLASS[d];
      return confirmed
        ? [and(eq(consultations.doctorClass, d), eq(analyses.topClass, confirmed))!]
        : [];
    }),
  )!;

/** Decision 046 compares only analyses the model staged (verdict ok). */
function agreementWhere(agreement: Agreement): SQL {
  const staged = eq(analyses.verdict, "ok");
  switch (agreement) {
    case "agree":
      return and(decided(), staged, confirmsModelSql())!;
    case "disagree":
      return and(decided(), staged, not(confirmsModelSql()))!;
    case "model_cant_assess":
      return and(decided(), eq(analyses.verdict, "cant_assess"))!;
    case "unanswered":
      return not(decided());
  }
}

/** Midnight UTC at the start of `day` (YYYY-MM-DD), and of the day after. */
const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);
const dayAfter = (day: string) => new Date(dayStart(day).getTime() + 86_400_000);

function filtersOf(actor: Actor, q: RecordsQuery): SQL {
  const patient = q.patient?.trim();
  return and(
    doctorSees(actor.id),
    q.finalClass ? and(decided(), eq(consultations.doctorClass, q.finalClass)) : undefined,
    q.modelClass ? and(eq(analyses.verdict, "ok"), eq(analyses.topClass, q.modelClass)) : undefined,
    q.agreement ? agreementWhere(q.agreement) : undefined,
    q.status ? eq(consultations.status, q.status) : undefined,
    q.origin === "clinic" ? isNotNull(consultations.clinicPatientId) : undefined,
    q.origin === "shared" ? isNull(consultations.clinicPatientId) : undefined,
    q.from ? gte(analyses.createdAt, dayStart(q.from)) : undefined,
    q.to ? lt(analyses.createdAt, dayAfter(q.to)) : undefined,
    patient
      ? or(
          containsText(patientAccount.displayName, patient),
          containsText(clinicPatients.nameKey, nameKey(patient)),
          containsText(clinicPatients.clinicRef, patient),
        )
      : undefined,
  )!;
}

const recordFields = {
  consultationId: consultations.id,
  status: consultations.status,
  doctorClass: consultations.doctorClass,
  answeredAt: consultations.answeredAt,
  clinicPatientId: consultations.clinicPatientId,
  clinicRef: clinicPatients.clinicRef,
  clinicName: clinicPatients.name,
  accountName: patientAccount.displayName,
  analysisId: analyses.id,
  createdAt: analyses.createdAt,
  verdict: analyses.verdict,
  topClass: analyses.topClass,
  confidence: analyses.confidence,
};

/** The joined rows every view of the browser reads from (as the row fields, or counted by class). */
const recordRows = () =>
  getDb()
    .select(recordFields)
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .innerJoin(analyses, eq(analyses.id, consultations.analysisId))
    .innerJoin(patientAccount, eq(patientAccount.id, consultations.patientId))
    .leftJoin(clinicPatients, eq(clinicPatients.id, consultations.clinicPatientId));

const countsByFinalClass = (where: SQL) =>
  getDb()
    .select({
      doctorClass: sql<DoctorClass | null>`case when ${decided()} then ${consultations.doctorClass} end`,
      n: count(),
    })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .innerJoin(analyses, eq(analyses.id, consultations.analysisId))
    .innerJoin(patientAccount, eq(patientAccount.id, consultations.patientId))
    .leftJoin(clinicPatients, eq(clinicPatients.id, consultations.clinicPatientId))
    .where(where)
    .groupBy(sql`1`);

export type RecordRow = {
  consultationId: string;
  status: (typeof consultations.$inferSelect)["status"];
  doctorClass: DoctorClass | null;
  answeredAt: Date | null;
  origin: "clinic" | "shared";
  clinicPatientId: string | null;
  clinicRef: string | null;
  patientName: string;
  analysisId: string;
  createdAt: Date;
  verdict: (typeof analyses.$inferSelect)["verdict"];
  topClass: (typeof analyses.$inferSelect)["topClass"];
  confidence: (typeof analyses.$inferSelect)["confidence"];
};

function toRecord(row: {
  [K in keyof typeof recordFields]: unknown;
}): RecordRow {
  const r = row as Omit<RecordRow, "origin" | "patientName"> & {
    clinicName: string | null;
    accountName: string;
  };
  return {
    consultationId: r.consultationId,
    status: r.status,
    doctorClass: r.doctorClass,
    answeredAt: r.answeredAt,
    origin: r.clinicPatientId ? "clinic" : "shared",
    clinicPatientId: r.clinicPatientId,
    clinicRef: r.clinicRef,
    // A clinic record names the patient as the practice registered them.
    patientName: r.clinicName ?? r.accountName,
    analysisId: r.analysisId,
    createdAt: r.createdAt,
    verdict: r.verdict,
    topClass: r.topClass,
    confidence: r.confidence,
  };
}

/** One page of the doctor's records, newest analysis first, with the page arithmetic. */
export async function listRecords(actor: Actor, q: RecordsQuery) {
  await certifiedProfileOf(actor);
  const where = filtersOf(actor, q);
  const total = (await countsByFinalClass(where)).reduce((sum, c) => sum + c.n, 0);
  const window = pageWindow(total, q.page ?? 1, RECORDS_PAGE_SIZE);
  const rows = await recordRows()
    .where(where)
    .orderBy(desc(analyses.createdAt), desc(consultations.id))
    .limit(RECORDS_PAGE_SIZE)
    .offset(window.offset);
  await auditClinicRead(actor, "clinic.records.list");
  return { total, page: window.page, pages: window.pages, records: rows.map(toRecord) };
}

export type ImageGroup = {
  /** The final class, or null for records without a decision yet. */
  doctorClass: DoctorClass | null;
  total: number;
  records: RecordRow[];
};

/**
 * The records' images under their final class (in the vocabulary's order), then those still
 * without a decision; at most IMAGES_PER_CLASS newest of each, with the group's full count.
 */
export async function imageGroups(actor: Actor, q: RecordsQuery): Promise<ImageGroup[]> {
  await certifiedProfileOf(actor);
  const where = filtersOf(actor, q);
  const counts = await countsByFinalClass(where);
  const groups: ImageGroup[] = [];
  for (const doctorClass of [...DOCTOR_CLASSES, null]) {
    const total = counts.find((c) => c.doctorClass === doctorClass)?.n ?? 0;
    if (total === 0) continue;
    const rows = await recordRows()
      .where(
        and(
          where,
          doctorClass ? and(decided(), eq(consultations.doctorClass, doctorClass)) : not(decided()),
        ),
      )
      .orderBy(desc(analyses.createdAt), desc(consultations.id))
      .limit(IMAGES_PER_CLASS);
    groups.push({ doctorClass, total, records: rows.map(toRecord) });
  }
  await auditClinicRead(actor, "clinic.records.images");
  return groups;
}
