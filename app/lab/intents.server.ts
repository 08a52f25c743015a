/**
 * The lab's dataset upload as an intent: the archive streams to disk in `readForm` (only for
 * someone who may use the lab), and is removed in every case once the service is done with it.
 */
import { redirect } from "@remix-run/node";
import type { SessionUser } from "~/auth/session.server";
import { can } from "~/auth/permissions";
import { notFound } from "~/errors/domain-error";
import { intent, NO_FIELDS } from "~/http/pipeline.server";
import { stageDataset, validDatasetName } from "./datasets.server";
import { createJob } from "./jobs.server";
import { buildConsentedDataset } from "./consented.server";
import { ConsentedDatasetSchema, RecipeSchema } from "./validation";
import { kickLabRunner } from "./runner.server";
import { discardUpload, readDatasetForm, uploadedArchive } from "./upload.server";

export async function readLabUpload(request: Request, user: SessionUser): Promise<FormData> {
  if (!can(user, { type: "lab:use" })) notFound();
  // The form that builds a dataset from patients' analyses carries no file.
  const type = request.headers.get("content-type") ?? "";
  if (type.startsWith("application/x-www-form-urlencoded")) return request.formData();
  return readDatasetForm(request);
}

// The fields are checked by the service, not a schema: a refusal must still remove the upload.
// The file is never echoed back with a refusal (it lives on disk, not in the reply).
export const uploadDatasetIntent = intent(
  NO_FIELDS,
  async ({ user, form }) => {
    try {
      const name = validDatasetName(
        form.get("name"),
        `Dataset of ${new Date().toISOString().slice(0, 16).replace("T", " ")}`,
      );
      const dataset = await stageDataset(user, { archive: uploadedArchive(form), name });
      return redirect(`/admin/models/datasets/${dataset.id}`);
    } finally {
      await discardUpload(form);
    }
  },
  { hideFields: ["dataset"] },
);

/** A dataset from patients' consented analyses with a hematologist's final staging. */
export const consentedDatasetIntent = intent(ConsentedDatasetSchema, async ({ user, value }) => {
  const name = validDatasetName(
    value.name ?? null,
    `Patients' consented analyses of ${new Date().toISOString().slice(0, 10)}`,
  );
  const dataset = await buildConsentedDataset(user, name);
  return redirect(`/admin/models/datasets/${dataset.id}`);
});

export const startJobIntent = intent(RecipeSchema, async ({ user, value }) => {
  const job = await createJob(user, value);
  await kickLabRunner();
  return redirect(`/admin/models/jobs/${job.id}`);
});
