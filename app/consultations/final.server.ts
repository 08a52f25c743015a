/**
 * The clinician's word on an analysis: the latest answered (or since closed) consultation.
 * A patient revoking the doctor's access later does not unmake the review that was given.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import { consultations, doctorProfiles, users } from "#db/schema";

export type FinalReview = {
  consultationId: string;
  doctorProfileId: string;
  doctorName: string;
  doctorTitle: string | null;
  licenceNumber: string | null;
  doctorClass: NonNullable<(typeof consultations.$inferSelect)["doctorClass"]>;
  recommendations: string;
  urgency: NonNullable<(typeof consultations.$inferSelect)["urgency"]>;
  answeredAt: Date;
};

/** Callers have already checked that the actor may see `analysisId`. */
export function finalReviewFor(analysisId: string): FinalReview | null {
  const row = getDb()
    .select({
      consultationId: consultations.id,
      doctorProfileId: consultations.doctorProfileId,
      doctorName: users.displayName,
      doctorTitle: doctorProfiles.title,
      licenceNumber: doctorProfiles.licenceNumber,
      doctorClass: consultations.doctorClass,
      recommendations: consultations.recommendations,
      urgency: consultations.urgency,
      answeredAt: consultations.answeredAt,
    })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(
      and(
        eq(consultations.analysisId, analysisId),
        inArray(consultations.status, ["answered", "closed"]),
      ),
    )
    .orderBy(desc(consultations.answeredAt))
    .limit(1)
    .get();
  if (!row || !row.doctorClass || !row.urgency || !row.answeredAt) return null;
  return {
    ...row,
    doctorClass: row.doctorClass,
    urgency: row.urgency,
    answeredAt: row.answeredAt,
    recommendations: row.recommendations ?? "",
  };
}
