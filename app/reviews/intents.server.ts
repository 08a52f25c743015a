/**
 * The admin's moderation form as a pipeline intent. Server-only, so its schema stays out of
 * the moderation page's browser bundle (the page does not validate in the browser).
 */
import { redirect } from "@remix-run/node";
import { intent } from "~/http/pipeline.server";
import { moderateReview } from "./reviews.server";
import { ModerationSchema } from "./validation";

export const moderationIntent = intent(ModerationSchema, ({ user, value }) => {
  moderateReview(user, value.reviewId, value.decision === "hide");
  return redirect("/admin/reviews");
});
