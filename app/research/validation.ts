import { z } from "zod";

/** The settings' research choice for future uploads: the box ticked or not. */
export const ResearchPreferenceSchema = z.object({
  shareFutureUploads: z.boolean().optional(),
});
