/**
 * The admin's verification form as a pipeline intent. Server-only, so its schema stays out
 * of the verification page's browser bundle (the page does not validate in the browser).
 */
import { redirect } from "@remix-run/node";
import { intent } from "~/http/pipeline.server";
import { DecisionSchema } from "./validation";
import { decideVerification } from "./verification.server";

export const verificationIntent = intent(DecisionSchema, ({ user, value }) => {
  decideVerification(
    user,
    value.profileId,
    value.decision === "approve" ? { approve: true } : { approve: false, reason: value.reason },
  );
  return redirect("/admin/doctors");
});
