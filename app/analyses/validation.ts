import { z } from "zod";
import { FILE_TOO_LARGE, MAX_UPLOAD_BYTES } from "~/uploads/limits";
import { AGE_BRACKETS } from "./vocabulary";

/**
 * A client's key for one upload (the `Idempotency-Key` header, or the upload form's hidden
 * field, new on every render): printable ASCII, as the IETF Idempotency-Key draft allows.
 */
export const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{8,255}$/, "The Idempotency-Key must be 8 to 255 printable characters.");

/** Shared by the upload form (browser) and the server. */
export const UploadSchema = z.object({
  smear: z
    .custom<File>(
      (value) => typeof value === "object" && value !== null && "arrayBuffer" in value,
      "Choose a photo of the smear",
    )
    // A form sent without choosing a file carries an empty, unnamed part.
    .refine((file) => file.size > 0 || file.name !== "", "Choose a photo of the smear first.")
    .refine((file) => file.size > 0, "The file is empty. Choose a photo of the smear.")
    .refine((file) => file.size <= MAX_UPLOAD_BYTES, FILE_TOO_LARGE),
  ageBracket: z.enum(AGE_BRACKETS, { error: "Choose child or adult" }).optional(),
  note: z.string().trim().max(1000, "Keep the note under 1,000 characters").optional(),
  idempotencyKey: IdempotencyKeySchema.optional(),
  /** Research use of the image and its confirmed label (off unless ticked; decision 062). */
  researchConsent: z.boolean().optional(),
});
