import { z } from "zod";
import { AGE_BRACKETS } from "~/analyses/vocabulary";
import {
  ADVICE_MAX,
  ADVICE_MIN,
  DOCTOR_CLASSES,
  MORPHOLOGY_MAX,
  MORPHOLOGY_MIN,
  URGENCIES,
} from "./vocabulary";

export const ShareSchema = z.object({
  doctorProfileId: z.string({ error: "Choose a doctor" }).min(1, "Choose a doctor"),
  message: z
    .string({ error: "Tell the doctor why you are asking (at least 10 characters)" })
    .trim()
    .min(10, "Tell the doctor why you are asking (at least 10 characters)")
    .max(2000, "Keep the message under 2,000 characters"),
  ageBracket: z.enum(AGE_BRACKETS, { error: "Choose child or adult" }).optional(),
  consent: z.literal(true, { error: "Tick the box to let this doctor see the image and result" }),
});

export const DeclineSchema = z.object({
  reason: z
    .string({ error: "Give the patient a reason" })
    .trim()
    .min(5, "Give the patient a reason")
    .max(1000, "Keep the reason under 1,000 characters"),
});

export const AnswerSchema = z.object({
  doctorClass: z.enum(DOCTOR_CLASSES, {
    error: "Choose your assessment",
  }),
  /** What the doctor saw in the smear: for the record and for other clinicians. */
  morphology: z
    .string({ error: "Describe what you saw in the smear" })
    .trim()
    .min(
      MORPHOLOGY_MIN,
      `Describe what you saw in the smear (at least ${MORPHOLOGY_MIN} characters)`,
    )
    .max(MORPHOLOGY_MAX, "Keep the morphology comment to at most 4,000 characters"),
  /** The advice to the patient, in plain words (stored as `recommendations`). */
  recommendations: z
    .string({ error: "Write your advice to the patient" })
    .trim()
    .min(ADVICE_MIN, `Write your advice to the patient (at least ${ADVICE_MIN} characters)`)
    .max(ADVICE_MAX, "Keep the advice to the patient to at most 4,000 characters"),
  urgency: z.enum(URGENCIES, { error: "Choose the urgency" }),
});

export type ShareInput = z.infer<typeof ShareSchema>;
export type AnswerInput = z.infer<typeof AnswerSchema>;

export const MessageSchema = z.object({
  body: z
    .string({ error: "Write a message" })
    .trim()
    .min(1, "Write a message")
    .max(4000, "Keep the message under 4,000 characters"),
});

/** The share form: which of the patient's analyses, plus the request itself. */
export const ShareFormSchema = ShareSchema.extend({
  analysisId: z.string({ error: "Choose which analysis to share" }).min(1),
});
