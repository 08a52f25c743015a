/**
 * The admin's view of how consultations go: how many are in each state, how often the
 * hematologists confirm the model's staging, and how long patients wait for an answer.
 * Aggregates only (no patient is named); every view is audited.
 */
import { and, count, desc, eq, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import { getDb } from "#db/client";
import { countWhere, epochMs, leastOf, rawRows } from "~/data/sql-dialect.server";
import { analyses, consultations, doctorProfiles, users } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { notFound } from "~/errors/domain-error";
import { can, type Actor } from "~/auth/permissions";
import { CLASS_IDS, type ClassId } from "~/analyses/vocabulary";
import { doctorName } from "~/doctors/vocabulary";
import {
  ANSWERED_STATUSES,
  confirmingAnswers,
  CONSULTATION_STATUSES,
  DOCTOR_CLASSES,
  type ConsultationStatus,
  type DoctorClass,
} from "./vocabulary";

/** Rows: the model's class; columns: the doctor's class. Every cell is present. */
export type AgreementTable = Record<ClassId, Record<DoctorClass, number>>;

export type DoctorConfirmation = {
  doctorProfileId: string;
  name: string;
  /** Answered consultations on an analysis the model staged (verdict ok). */
  answered: number;
  confirmed: number;
  /** confirmed / answered, null when answered is 0. */
  rate: number | null;
};

export type ConsultationMonitoring = {
  statusCounts: Record<ConsultationStatus, number>;
  /** Answered or since closed, whatever the analysis' verdict. */
  answered: number;
  /** Of those, on an analysis the model could not assess: there was no staging to confirm. */
  modelCantAssess: number;
  /** Answered on an analysis the model staged: the denominator of the confirmation rate. */
  compared: number;
  /**
   * Of `compared`, the doctor's answer confirms the model's class (`confirmsModel`: the same
   * B-ALL class, or "no leukaemia seen" / "reactive changes" for benign; decision 046).
   */
  confirmed: number;
  /** confirmed / compared, null when nothing was compared. */
  confirmationRate: number | null;
  /** Answered with "not assessable" by the doctor (whatever the analysis' verdict). */
  notAssessable: number;
  /** Over `compared` consultations. */
  agreement: AgreementTable;
  /** Median of answeredAt − requestedAt (ms) over answered and closed ones; null if none. */
  medianResponseMs: number | null;
  /** Median of the first accept/decline − requestedAt (ms) over those that got one. */
  medianFirstResponseMs: number | null;
  /** Doctors with the most compared consultations, at most `TOP_DOCTORS`. */
  topDoctors: DoctorConfirmation[];
};

export const TOP_DOCTORS = 5;

/** The median of a per-row expression (ms), or null when no row qualifies. */
async function median(value: SQL, where: SQL): Promise<number | null> {
  // Window functions rank the values; the middle one (odd n) or the mean of the middle two.
  const [row] = await rawRows<{ median: number | string | null }>(
    getDb(),
    sql`
    with v as (select ${value} as x from ${consultations} where ${where}),
         ranked as (select x, row_number() over (order by x) as rn, count(*) over () as n from v)
    select avg(x) as median from ranked where rn in ((n + 1) / 2, (n + 2) / 2)`,
  );
  // Postgres's avg() is a numeric, which node-postgres reads as text.
  return row?.median == null ? null : Number(row.median);
}

/** The figures of the admin's consultation monitoring page (admin only, else 404). */
export async function consultationMonitoring(actor: Actor): Promise<ConsultationMonitoring> {
  if (!can(actor, { type: "admin:access" })) notFound();
  const db = getDb();

  const statusCounts = Object.fromEntries(CONSULTATION_STATUSES.map((s) => [s, 0])) as Record<
    ConsultationStatus,
    number
  >;
  for (const row of await db
    .select({ status: consultations.status, n: count() })
    .from(consultations)
    .groupBy(consultations.status)) {
    statusCounts[row.status] = row.n;
  }

  const answeredWhere = and(
    inArray(consultations.status, ANSWERED_STATUSES),
    isNotNull(consultations.doctorClass),
  );

  const totals = (
    await db
      .select({
        answered: count(),
        modelCantAssess: countWhere(sql`${analyses.verdict} = 'cant_assess'`),
        notAssessable: countWhere(sql`${consultations.doctorClass} = 'not_assessable'`),
      })
      .from(consultations)
      .innerJoin(analyses, eq(analyses.id, consultations.analysisId))
      .where(answeredWhere)
      .limit(1)
  )[0] ?? { answered: 0, modelCantAssess: 0, notAssessable: 0 };

  const agreement = Object.fromEntries(
    CLASS_IDS.map((m) => [m, Object.fromEntries(DOCTOR_CLASSES.map((d) => [d, 0]))]),
  ) as AgreementTable;
  for (const row of await db
    .select({ model: analyses.topClass, doctor: consultations.doctorClass, n: count() })
    .from(consultations)
    .innerJoin(analyses, eq(analyses.id, consultations.analysisId))
    .where(and(answeredWhere, eq(analyses.verdict, "ok")))
    .groupBy(analyses.topClass, consultations.doctorClass)) {
    if (row.doctor && agreement[row.model]) agreement[row.model][row.doctor] = row.n;
  }
  const compared = CLASS_IDS.reduce(
    (sum, m) => sum + DOCTOR_CLASSES.reduce((s, d) => s + agreement[m][d], 0),
    0,
  );
  const confirmed = CLASS_IDS.reduce(
    (sum, m) => sum + confirmingAnswers(m).reduce((s, d) => s + agreement[m][d], 0),
    0,
  );

  // The same rule in SQL: one (model class, confirming answer) pair per term.
  const confirmingPairs = sql.join(
    CLASS_IDS.flatMap((m) =>
      confirmingAnswers(m).map(
        (d) => sql`(${analyses.topClass} = ${m} and ${consultations.doctorClass} = ${d})`,
      ),
    ),
    sql` or `,
  );
  const confirmedExpr = countWhere(confirmingPairs);
  const topDoctors = (
    await db
      .select({
        doctorProfileId: doctorProfiles.id,
        displayName: users.displayName,
        title: doctorProfiles.title,
        answered: count(),
        confirmed: confirmedExpr,
      })
      .from(consultations)
      .innerJoin(analyses, eq(analyses.id, consultations.analysisId))
      .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
      .innerJoin(users, eq(users.id, doctorProfiles.userId))
      .where(and(answeredWhere, eq(analyses.verdict, "ok")))
      // Every selected column of the group: Postgres asks for them (SQLite took the id).
      .groupBy(doctorProfiles.id, users.displayName, doctorProfiles.title)
      .orderBy(desc(count()), desc(confirmedExpr), users.displayName)
      .limit(TOP_DOCTORS)
  ).map((d) => ({
    doctorProfileId: d.doctorProfileId,
    name: doctorName(d.title, d.displayName),
    answered: d.answered,
    confirmed: d.confirmed,
    rate: d.answered > 0 ? d.confirmed / d.answered : null,
  }));

  const medianResponseMs = await median(
    sql`${epochMs(consultations.answeredAt)} - ${epochMs(consultations.requestedAt)}`,
    sql`${consultations.status} in ('answered', 'closed') and ${consultations.answeredAt} is not null`,
  );
  // An accepted case is never declined and vice versa; min() of both covers either.
  const firstResponse = sql`coalesce(${leastOf(consultations.acceptedAt, consultations.declinedAt)}, ${consultations.acceptedAt}, ${consultations.declinedAt})`;
  const medianFirstResponseMs = await median(
    sql`${epochMs(firstResponse)} - ${epochMs(consultations.requestedAt)}`,
    sql`(${consultations.acceptedAt} is not null or ${consultations.declinedAt} is not null)`,
  );

  await auditSuccess(actor, "admin.consultations.read");

  return {
    statusCounts,
    answered: totals.answered,
    modelCantAssess: totals.modelCantAssess,
    compared,
    confirmed,
    confirmationRate: compared > 0 ? confirmed / compared : null,
    notAssessable: totals.notAssessable,
    agreement,
    medianResponseMs,
    medianFirstResponseMs,
    topDoctors,
  };
}
