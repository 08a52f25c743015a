import { z } from "zod";

export const ReviewSchema = z.object({
  rating: z.coerce
    .number({ error: "Choose a rating from 1 to 5 stars" })
    .int("Choose a rating from 1 to 5 stars")
    .min(1, "Choose a rating from 1 to 5 stars")
    .max(5, "Choose a rating from 1 to 5 stars"),
  body: z
    .string({ error: "Write at least 20 characters" })
    .trim()
    .min(20, "Write at least 20 characters")
    .max(2000, "Keep the review under 2,000 characters"),
});

export const ReplySchema = z.object({
  reply: z
    .string({ error: "Write a reply" })
    .trim()
    .min(1, "Write a reply")
    .max(2000, "Keep the reply under 2,000 characters"),
});

export const ReportSchema = z.object({
  reason: z
    .string({ error: "Say briefly why this review breaks the rules" })
    .trim()
    .min(5, "Say briefly why this review breaks the rules")
    .max(500, "Keep the reason under 500 characters"),
});

/** Which review a reply, a report or a deletion is about. */
export const ReviewRefSchema = z.object({
  reviewId: z.string({ error: "Choose a review" }).min(1, "Choose a review"),
});

/** The admin hides a review or restores a hidden one. */
export const ModerationSchema = ReviewRefSchema.extend({
  decision: z.enum(["hide", "restore"], { error: "Choose hide or restore." }),
});

/** The admin's review list: which reviews, one rating, a doctor's name, the page. */
export const AdminReviewQuerySchema = z.object({
  show: z.enum(["all", "reported", "hidden"]).catch("all"),
  rating: z.coerce.number().int().min(1).max(5).nullable().catch(null),
  doctor: z.string().trim().max(100).catch(""),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});
