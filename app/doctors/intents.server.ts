/**
 * The admin's verification forms as pipeline intents. Server-only, so their schemas stay out
 * of the verification page's browser bundle (the page does not validate in the browser).
 * Each answers with the confirmation the page shows above the list.
 */
import { intent } from "~/http/pipeline.server";
import { DecisionSchema, ReinstateSchema, SuspendSchema } from "./validation";
import { changeDoctorStatus } from "./verification.server";

export type Confirmation = { confirmation: string; profileId: string };

export const verificationIntent = intent(
  DecisionSchema,
  async ({ user, value }): Promise<Confirmation> => {
    const { name } = await changeDoctorStatus(
      user,
      value.profileId,
      value.decision === "approve" ? { step: "approve" } : { step: "reject", reason: value.reason },
    );
    return {
      profileId: value.profileId,
      confirmation:
        value.decision === "approve"
          ? `${name} is approved: the profile is certified and listed.`
          : `${name}'s verification was declined; the doctor sees your reason.`,
    };
  },
);

export const suspendIntent = intent(
  SuspendSchema,
  async ({ user, value }): Promise<Confirmation> => {
    const { name } = await changeDoctorStatus(user, value.profileId, {
      step: "suspend",
      reason: value.reason,
    });
    return {
      profileId: value.profileId,
      confirmation: `${name} is suspended: no longer listed, and their shared cases are hidden from them. Their patients are told.`,
    };
  },
);

export const reinstateIntent = intent(
  ReinstateSchema,
  async ({ user, value }): Promise<Confirmation> => {
    const { name } = await changeDoctorStatus(user, value.profileId, { step: "reinstate" });
    return {
      profileId: value.profileId,
      confirmation: `${name} is reinstated: certified and listed again.`,
    };
  },
);
