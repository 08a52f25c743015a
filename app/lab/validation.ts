/** The lab's form schemas, shared by the page and the server. */
import { z } from "zod";
import { UploadSchema } from "~/analyses/validation";
import { ARCHITECTURE_NAMES, MAX_JOB_DATASETS } from "./vocabulary";

export const RecipeSchema = z.object({
  /** One or more datasets (a form sends one value per ticked box). */
  datasetIds: z.preprocess(
    (v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]),
    z
      .array(z.string().uuid("Choose one or more datasets"), {
        error: "Choose one or more datasets",
      })
      .min(1, "Choose one or more datasets")
      .max(MAX_JOB_DATASETS, `Choose at most ${MAX_JOB_DATASETS} datasets`),
  ),
  architecture: z.enum(ARCHITECTURE_NAMES, { error: "Choose an architecture" }),
  epochs: z.coerce
    .number({ error: "Give the number of epochs" })
    .int("Give a whole number of epochs")
    .min(1, "At least 1 epoch")
    .max(60, "At most 60 epochs"),
  seed: z.coerce.number({ error: "Give a seed" }).int("The seed is a whole number").min(0).max(1e9),
  augmentation: z
    .enum(["on", "off"])
    .default("off")
    .transform((v) => v === "on"),
  blockSize: z.coerce
    .number({ error: "Give a block size" })
    .int("Give a whole number")
    .min(1, "At least 1 file per block")
    .max(500, "At most 500 files per block"),
});
export type RecipeInput = z.output<typeof RecipeSchema>;

/** A dataset built from patients' consented analyses: only its name, optional. */
export const ConsentedDatasetSchema = z.object({
  name: z.string().trim().max(80, "Give the dataset a name of at most 80 characters.").optional(),
});

/** The typed second confirmation of a promotion or a rollback (checked against the phrase). */
export const ConfirmChangeSchema = z.object({
  confirmation: z
    .string({ error: "Type the phrase shown above the field to confirm" })
    .trim()
    .max(200, "Type the phrase shown above the field to confirm"),
});

export const GrantResearcherSchema = z.object({
  email: z
    .string({ error: "Give the e-mail address of the account" })
    .trim()
    .email("Give the e-mail address of the account"),
});

export const RevokeResearcherSchema = z.object({
  userId: z.string({ error: "Choose a researcher" }).uuid("Choose a researcher"),
});

const PredictVersionField = z
  .string({ error: "Choose a model version" })
  .trim()
  .min(1, "Choose a model version")
  .max(120, "Choose a model version");

/**
 * The lab's prediction: a version and an image, uploaded (with the intake's file rules) or a
 * test image of a dataset (`<dataset id>/<file>`).
 */
export const PredictSchema = z.discriminatedUnion(
  "source",
  [
    z.object({
      source: z.literal("upload"),
      version: PredictVersionField,
      smear: UploadSchema.shape.smear,
    }),
    z.object({
      source: z.literal("dataset"),
      version: PredictVersionField,
      datasetImage: z
        .string({ error: "Choose a test image of a dataset" })
        .trim()
        .min(1, "Choose a test image of a dataset")
        .max(400, "Choose a test image of a dataset"),
    }),
  ],
  { error: "Choose where the image comes from" },
);
