/**
 * The admin's moderation form as a pipeline intent. Server-only, so its schema stays out of
 * the moderation page's browser bundle (the page does not validate in the browser). It
 * answers with the confirmation the page shows (the page keeps its filters).
 */
import { intent } from "~/http/pipeline.server";
import { moderateReview } from "./reviews.server";
import { ModerationSchema } from "./validation";

export const moderationIntent = intent(ModerationSchema, async ({ user, value }) => {
  const hide = value.decision === "hide";
  await moderateReview(user, value.reviewId, hide);
  return {
    confirmation: hide
      ? "The review is hidden; its reports are closed."
      : "The review is visible; its reports are closed.",
  };
});
