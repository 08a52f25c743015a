/**
 * Reviews of certified doctors: one per patient and doctor, a public reply by the
 * doctor, reports by any signed-in user, moderation by the admin. Aggregates on the
 * profile are kept by database triggers in the same transaction as each change.
 */
import { and, count, desc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { inTransaction } from "~/data/unit-of-work.server";
import { containsText, pageWindow } from "~/data/listing.server";
import { consultations, doctorProfiles, reviewReports, reviews, users } from "#db/schema";
import { asCount, joinedText } from "~/data/sql-dialect.server";
import { auditSuccess } from "~/audit/audit.server";
import { notFound } from "~/errors/domain-error";
import { can, type Actor } from "~/auth/permissions";
import { ANSWERED_STATUSES } from "~/consultations/vocabulary";
import { bayesianRating } from "~/doctors/ranking";
import { firstName } from "./vocabulary";

export const PAGE_SIZE = 10;

/** A verified doctor's profile id, or 404. */
async function requireListedDoctor(doctorId: string) {
  const row = (
    await getDb()
      .select({ id: doctorProfiles.id, userId: doctorProfiles.userId })
      .from(doctorProfiles)
      .where(and(eq(doctorProfiles.id, doctorId), eq(doctorProfiles.status, "verified")))
      .limit(1)
  )[0];
  return row ?? notFound();
}

export async function ratingSummary(doctorId: string) {
  const db = getDb();
  const profile = (
    await db
      .select({ count: doctorProfiles.ratingCount, sum: doctorProfiles.ratingSum })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.id, doctorId))
      .limit(1)
  )[0] ?? { count: 0, sum: 0 };
  const rows = await db
    .select({ rating: reviews.rating, n: count() })
    .from(reviews)
    .where(and(eq(reviews.doctorId, doctorId), ne(reviews.status, "hidden")))
    .groupBy(reviews.rating);
  const distribution = [1, 2, 3, 4, 5].map((stars) => ({
    stars,
    count: rows.find((r) => r.rating === stars)?.n ?? 0,
  }));
  return {
    count: profile.count,
    mean: profile.count > 0 ? profile.sum / profile.count : null,
    bayesian: bayesianRating(profile.sum, profile.count),
    distribution,
  };
}

/**
 * A page of a doctor's visible reviews, as the public page shows them: the reviewer's first
 * name only and no user ids; `isOwn` tells the viewer which one is theirs.
 */
export async function listReviews(doctorId: string, page: number, viewer: Actor | null = null) {
  const where = and(eq(reviews.doctorId, doctorId), ne(reviews.status, "hidden"));
  const db = getDb();
  const total = (await db.select({ n: count() }).from(reviews).where(where).limit(1))[0]?.n ?? 0;
  const rows = await db
    .select({
      id: reviews.id,
      authorId: reviews.authorId,
      authorName: users.displayName,
      rating: reviews.rating,
      body: reviews.body,
      doctorReply: reviews.doctorReply,
      doctorReplyAt: reviews.doctorReplyAt,
      verifiedConsultation: reviews.verifiedConsultation,
      createdAt: reviews.createdAt,
      updatedAt: reviews.updatedAt,
    })
    .from(reviews)
    .innerJoin(users, eq(users.id, reviews.authorId))
    .where(where)
    .orderBy(desc(reviews.createdAt), desc(reviews.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  const items = rows.map(({ authorId, authorName, ...review }) => ({
    ...review,
    authorFirstName: firstName(authorName),
    isOwn: viewer !== null && viewer.id === authorId,
  }));
  return { total, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), items };
}

/** The acting patient's review of a doctor, if any: what the edit form needs. */
export async function getOwnReview(actor: Actor, doctorId: string) {
  return (
    await getDb()
      .select({
        rating: reviews.rating,
        body: reviews.body,
        verifiedConsultation: reviews.verifiedConsultation,
      })
      .from(reviews)
      .where(and(eq(reviews.doctorId, doctorId), eq(reviews.authorId, actor.id)))
      .limit(1)
  )[0];
}

/** Write or edit the acting patient's one review of a certified doctor. */
export async function saveOwnReview(
  actor: Actor,
  doctorId: string,
  input: { rating: number; body: string },
) {
  if (!can(actor, { type: "patient:access" })) notFound();
  await requireListedDoctor(doctorId);
  await inTransaction(async ({ tx }) => {
    // The badge: this patient had a consultation with this doctor that was answered.
    const verifiedConsultation = Boolean(
      (
        await tx
          .select({ id: consultations.id })
          .from(consultations)
          .where(
            and(
              eq(consultations.patientId, actor.id),
              eq(consultations.doctorProfileId, doctorId),
              inArray(consultations.status, ANSWERED_STATUSES),
            ),
          )
          .limit(1)
      )[0],
    );
    const existing = (
      await tx
        .select({ id: reviews.id })
        .from(reviews)
        .where(and(eq(reviews.doctorId, doctorId), eq(reviews.authorId, actor.id)))
        .limit(1)
    )[0];
    if (existing) {
      await tx
        .update(reviews)
        .set({
          rating: input.rating,
          body: input.body,
          verifiedConsultation,
          updatedAt: new Date(),
        })
        .where(eq(reviews.id, existing.id));
    } else {
      await tx.insert(reviews).values({
        doctorId,
        authorId: actor.id,
        rating: input.rating,
        body: input.body,
        verifiedConsultation,
      });
    }
    await auditSuccess(
      actor,
      existing ? "review.update" : "review.create",
      { targetType: "doctor_profile", targetId: doctorId },
      tx,
    );
  });
}

/** A review the actor wrote, or 404. */
async function ownReview(actor: Actor, reviewId: string) {
  const row = (
    await getDb()
      .select({ id: reviews.id, doctorId: reviews.doctorId })
      .from(reviews)
      .where(and(eq(reviews.id, reviewId), eq(reviews.authorId, actor.id)))
      .limit(1)
  )[0];
  return row ?? notFound();
}

export async function deleteOwnReview(actor: Actor, reviewId: string) {
  const review = await ownReview(actor, reviewId);
  await inTransaction(async ({ tx }) => {
    await tx.delete(reviews).where(eq(reviews.id, review.id));
    await auditSuccess(actor, "review.delete", { targetType: "review", targetId: review.id }, tx);
  });
  return review.doctorId;
}

/** The doctor's one public reply to a review of their own profile (editable). */
export async function replyToReview(actor: Actor, reviewId: string, reply: string) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  const db = getDb();
  const review = (
    await db
      .select({ id: reviews.id, doctorId: reviews.doctorId })
      .from(reviews)
      .innerJoin(doctorProfiles, eq(doctorProfiles.id, reviews.doctorId))
      .where(
        and(
          eq(reviews.id, reviewId),
          eq(doctorProfiles.userId, actor.id),
          ne(reviews.status, "hidden"),
        ),
      )
      .limit(1)
  )[0];
  if (!review) notFound();
  await inTransaction(async ({ tx }) => {
    await tx
      .update(reviews)
      .set({ doctorReply: reply, doctorReplyAt: new Date() })
      .where(eq(reviews.id, review.id));
    await auditSuccess(actor, "review.reply", { targetType: "review", targetId: review.id }, tx);
  });
  return review.doctorId;
}

/** Any signed-in user may report a visible review once. */
export async function reportReview(actor: Actor, reviewId: string, reason: string) {
  const db = getDb();
  const review = (
    await db
      .select({ id: reviews.id, doctorId: reviews.doctorId })
      .from(reviews)
      .where(and(eq(reviews.id, reviewId), ne(reviews.status, "hidden")))
      .limit(1)
  )[0];
  if (!review) notFound();
  await inTransaction(async ({ tx }) => {
    await tx
      .insert(reviewReports)
      .values({ reviewId: review.id, reporterId: actor.id, reason })
      .onConflictDoUpdate({
        target: [reviewReports.reviewId, reviewReports.reporterId],
        set: { reason, resolvedAt: null },
      });
    await auditSuccess(actor, "review.report", { targetType: "review", targetId: review.id }, tx);
  });
  return review.doctorId;
}

/** The admin's queue: reviews with open reports, and hidden reviews (to restore). */
export async function moderationQueue(actor: Actor) {
  if (!can(actor, { type: "admin:access" })) notFound();
  const db = getDb();
  const openReports = asCount(
    sql`(select count(*) from ${reviewReports} r where r.review_id = ${reviews.id} and r.resolved_at is null)`,
  );
  return await db
    .select({
      id: reviews.id,
      doctorId: reviews.doctorId,
      doctorName: users.displayName,
      rating: reviews.rating,
      body: reviews.body,
      status: reviews.status,
      openReports,
      reasons: sql<string>`(select ${joinedText(sql`r.reason`, " | ")} from ${reviewReports} r where r.review_id = ${reviews.id} and r.resolved_at is null)`,
    })
    .from(reviews)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, reviews.doctorId))
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(sql`${reviews.status} = 'hidden' or ${openReports} > 0`)
    .orderBy(desc(openReports), desc(reviews.updatedAt));
}

export const ADMIN_REVIEWS_PAGE_SIZE = 20;

export type AdminReviewQuery = {
  show: "all" | "reported" | "hidden";
  rating: number | null;
  doctor: string;
  page: number;
};

/**
 * Every review for the admin, with filters: only those with open reports, only hidden ones,
 * one rating, a doctor's name; reported ones first, then the newest, in pages of 20.
 */
export async function listReviewsForAdmin(actor: Actor, query: AdminReviewQuery) {
  if (!can(actor, { type: "admin:access" })) notFound();
  const db = getDb();
  const openReports = asCount(
    sql`(select count(*) from ${reviewReports} r where r.review_id = ${reviews.id} and r.resolved_at is null)`,
  );
  const doctor = query.doctor.trim();
  const where = and(
    query.show === "reported" ? sql`${openReports} > 0` : undefined,
    query.show === "hidden" ? eq(reviews.status, "hidden") : undefined,
    query.rating ? eq(reviews.rating, query.rating) : undefined,
    doctor ? containsText(users.displayName, doctor) : undefined,
  );
  const total =
    (
      await db
        .select({ n: count() })
        .from(reviews)
        .innerJoin(doctorProfiles, eq(doctorProfiles.id, reviews.doctorId))
        .innerJoin(users, eq(users.id, doctorProfiles.userId))
        .where(where)
        .limit(1)
    )[0]?.n ?? 0;
  const { page, pages, offset } = pageWindow(total, query.page, ADMIN_REVIEWS_PAGE_SIZE);
  const rows = await db
    .select({
      id: reviews.id,
      doctorId: reviews.doctorId,
      doctorName: users.displayName,
      doctorTitle: doctorProfiles.title,
      rating: reviews.rating,
      body: reviews.body,
      status: reviews.status,
      verifiedConsultation: reviews.verifiedConsultation,
      createdAt: reviews.createdAt,
      openReports,
      reasons: sql<
        string | null
      >`(select ${joinedText(sql`r.reason`, " | ")} from ${reviewReports} r where r.review_id = ${reviews.id} and r.resolved_at is null)`,
    })
    .from(reviews)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, reviews.doctorId))
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(where)
    .orderBy(desc(openReports), desc(reviews.createdAt), reviews.id)
    .limit(ADMIN_REVIEWS_PAGE_SIZE)
    .offset(offset);
  return { rows, total, page, pages };
}

/** Hide or restore a review; either way its open reports are resolved. Audit-logged. */
export async function moderateReview(actor: Actor, reviewId: string, hide: boolean) {
  if (!can(actor, { type: "admin:access" })) notFound();
  const db = getDb();
  const review = (
    await db.select({ id: reviews.id }).from(reviews).where(eq(reviews.id, reviewId)).limit(1)
  )[0];
  if (!review) notFound();
  await inTransaction(async ({ tx }) => {
    await tx
      .update(reviews)
      .set({ status: hide ? "hidden" : "visible" })
      .where(eq(reviews.id, review.id));
    await tx
      .update(reviewReports)
      .set({ resolvedAt: new Date() })
      .where(and(eq(reviewReports.reviewId, review.id), isNull(reviewReports.resolvedAt)));
    await auditSuccess(
      actor,
      hide ? "review.hide" : "review.restore",
      { targetType: "review", targetId: review.id },
      tx,
    );
  });
}
