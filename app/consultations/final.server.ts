/**
 * The clinician's word on an analysis: the latest answered (or since closed) consultation.
 * A patient revoking the doctor's access later does not unmake the review that was given.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import { consultations, doctorProfiles, users, type Analysis } from "#db/schema";
import { doctorName } from "~/doctors/vocabulary";
import { ANSWERED_STATUSES, DOCTOR_CLASS_LABELS, URGENCY_LABELS } from "./vocabulary";

export type FinalReview = {
  consultationId: string;
  doctorProfileId: string;
  doctorName: string;
  doctorTitle: string | null;
  licenceNumber: string | null;
  doctorClass: NonNullable<(typeof consultations.$inferSelect)["doctorClass"]>;
  /** The advice to the patient. */
  recommendations: string;
  /** What the doctor saw; empty on answers given before it was asked for. */
  morphology: string;
  urgency: NonNullable<(typeof consultations.$inferSelect)["urgency"]>;
  answeredAt: Date;
};

/** The answered (or since closed) consultations of these analyses, latest answer first. */
function answered(analysisIds: string[]) {
  return getDb()
    .select({
      analysisId: consultations.analysisId,
      consultationId: consultations.id,
      doctorProfileId: consultations.doctorProfileId,
      doctorName: users.displayName,
      doctorTitle: doctorProfiles.title,
      licenceNumber: doctorProfiles.licenceNumber,
      doctorClass: consultations.doctorClass,
      recommendations: consultations.recommendations,
      morphology: consultations.morphology,
      urgency: consultations.urgency,
      answeredAt: consultations.answeredAt,
    })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(
      and(
        inArray(consultations.analysisId, analysisIds),
        inArray(consultations.status, ANSWERED_STATUSES),
      ),
    )
    .orderBy(desc(consultations.answeredAt));
}

/** Callers have already checked that the actor may see `analysisId`. */
export async function finalReviewFor(analysisId: string): Promise<FinalReview | null> {
  const row = (await answered([analysisId]).limit(1))[0];
  if (!row || !row.doctorClass || !row.urgency || !row.answeredAt) return null;
  return {
    ...row,
    doctorClass: row.doctorClass,
    urgency: row.urgency,
    answeredAt: row.answeredAt,
    recommendations: row.recommendations ?? "",
    morphology: row.morphology ?? "",
  };
}

/** A final answer as a report prints it: its words from the vocabulary, its date in ISO. */
export function finalAnswerView(final: FinalReview) {
  return {
    reviewer: doctorName(final.doctorTitle, final.doctorName),
    licenceNumber: final.licenceNumber,
    assessment: DOCTOR_CLASS_LABELS[final.doctorClass],
    urgency: URGENCY_LABELS[final.urgency],
    recommendations: final.recommendations,
    morphology: final.morphology,
    answeredAt: final.answeredAt.toISOString(),
  };
}

/**
 * The final answers of several analyses at once (history, dashboard), keyed by analysis id:
 * for each, the latest answered or closed consultation. Callers pass only analyses the actor
 * may see.
 */
export async function finalClassesFor(
  analysisIds: string[],
): Promise<Map<string, { doctorClass: FinalReview["doctorClass"]; doctorName: string }>> {
  const result = new Map<string, { doctorClass: FinalReview["doctorClass"]; doctorName: string }>();
  if (analysisIds.length === 0) return result;
  const rows = await answered(analysisIds);
  for (const row of rows) {
    if (!row.doctorClass || !row.answeredAt || result.has(row.analysisId)) continue;
    result.set(row.analysisId, {
      doctorClass: row.doctorClass,
      doctorName: doctorName(row.doctorTitle, row.doctorName),
    });
  }
  return result;
}

/**
 * A patient's analyses as their lists show them (history, dashboard): the model's answer and,
 * once a hematologist answered, theirs. Callers pass only analyses the actor may see.
 */
export async function withFinalClasses(
  own: Pick<Analysis, "id" | "verdict" | "topClass" | "confidence" | "createdAt">[],
) {
  const finals = await finalClassesFor(own.map((a) => a.id));
  return own.map((a) => ({
    id: a.id,
    verdict: a.verdict,
    topClass: a.topClass,
    confidence: a.confidence,
    final: finals.get(a.id) ?? null,
    createdAt: a.createdAt.toISOString(),
  }));
}
