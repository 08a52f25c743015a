import { z } from "zod";
import { AGE_BRACKETS } from "./vocabulary";

/** Shared by the upload form (browser) and the server. */
export const UploadSchema = z.object({
  smear: z
    .custom<File>(
      (value) => typeof value === "object" && value !== null && "arrayBuffer" in value,
      "Choose a photo of the smear",
    )
    .refine((file) => file.size > 0, "The file is empty. Choose a photo of the smear.")
    .refine(
      (file) => file.size <= 15 * 1024 * 1024,
      "The file is larger than 15 MB. Choose a smaller photo.",
    ),
  ageBracket: z.enum(AGE_BRACKETS, { error: "Choose child or adult" }).optional(),
  note: z.string().trim().max(1000, "Keep the note under 1,000 characters").optional(),
});
