/**
 * The final answers the statistics count (decision 062): for each analysis, its latest
 * answered (or since closed) consultation — the rule of `app/consultations/final.server.ts`.
 * A doctor's statistics hold the analyses whose final answer they gave; the admin's, every
 * analysis on the platform. Only what `FinalRecord` names is read: no name, no id, no date
 * finer than a month leaves this module.
 */
import { and, eq, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, consultations, doctorProfiles } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { inTransaction } from "~/data/unit-of-work.server";
import { ANSWERED_STATUSES } from "~/consultations/vocabulary";
import { isCertified } from "~/doctors/vocabulary";
import { notFound } from "~/errors/domain-error";
import { buildStatistics, monthOf, type FinalRecord, type Statistics } from "./aggregate";

/**
 * Each analysis's final answer: its latest answered or closed consultation, one row per
 * analysis, as a subquery the statistics and the research export join to `analyses`.
 */
export function finalAnswers() {
  const ranked = getDb()
    .select({
      analysisId: consultations.analysisId,
      doctorProfileId: consultations.doctorProfileId,
      doctorClass: consultations.doctorClass,
      ageBracket: consultations.ageBracket,
      requestedAt: consultations.requestedAt,
      answeredAt: consultations.answeredAt,
      rank: sql<number>`row_number() over (partition by ${consultations.analysisId} order by ${consultations.answeredAt} desc)`.as(
        "rank",
      ),
    })
    .from(consultations)
    .where(
      and(
        inArray(consultations.status, ANSWERED_STATUSES),
        isNotNull(consultations.doctorClass),
        isNotNull(consultations.answeredAt),
      ),
    )
    .as("answers_ranked");
  return getDb().select().from(ranked).where(eq(ranked.rank, 1)).as("final_answers");
}

async function finalRecords(scope: SQL | undefined): Promise<FinalRecord[]> {
  const final = finalAnswers();
  const rows = await getDb()
    .select({
      createdAt: analyses.createdAt,
      finalClass: final.doctorClass,
      analysisAge: analyses.ageBracket,
      sharedAge: final.ageBracket,
      region: doctorProfiles.country,
      modelVersion: analyses.modelVersion,
      verdict: analyses.verdict,
      topClass: analyses.topClass,
      requestedAt: final.requestedAt,
      answeredAt: final.answeredAt,
    })
    .from(final)
    .innerJoin(analyses, eq(analyses.id, final.analysisId))
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, final.doctorProfileId))
    .where(scope);
  return rows.flatMap((r) =>
    r.finalClass && r.answeredAt
      ? [
          {
            month: monthOf(r.createdAt),
            finalClass: r.finalClass,
            ageBracket: r.analysisAge ?? r.sharedAge ?? null,
            region: r.region,
            modelVersion: r.modelVersion,
            modelClass: r.verdict === "ok" ? r.topClass : null,
            answerMs: r.answeredAt.getTime() - r.requestedAt.getTime(),
          },
        ]
      : [],
  );
}

/** A certified doctor's own statistics: the analyses whose final answer they gave. Else 404. */
export async function doctorStatistics(actor: Actor): Promise<Statistics> {
  if (!can(actor, { type: "doctor:access" })) notFound();
  const [profile] = await getDb()
    .select({ id: doctorProfiles.id, status: doctorProfiles.status })
    .from(doctorProfiles)
    .where(eq(doctorProfiles.userId, actor.id))
    .limit(1);
  if (!profile || !isCertified(profile.status)) notFound();
  const records = await finalRecords(eq(doctorProfiles.id, profile.id));
  await inTransaction(({ tx }) => auditSuccess(actor, "statistics.doctor.read", {}, tx));
  return buildStatistics(records);
}

/** The whole platform's statistics, de-identified and suppressed (admin only, else 404). */
export async function platformStatistics(actor: Actor): Promise<Statistics> {
  if (!can(actor, { type: "admin:access" })) notFound();
  const records = await finalRecords(undefined);
  await inTransaction(({ tx }) => auditSuccess(actor, "statistics.platform.read", {}, tx));
  return buildStatistics(records);
}
