import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import { fieldMessage, formMessage, replyTo } from "~/components/forms";
import { getEnv } from "~/env.server";
import { handleAction, handleLoader } from "~/http/pipeline.server";
import { listDatasets } from "~/lab/datasets.server";
import { consentedDatasetIntent, readLabUpload, uploadDatasetIntent } from "~/lab/intents.server";
import { CLASS_FOLDERS, DATASET_STATUS_LABELS } from "~/lab/vocabulary";
import { LabCrumbs } from "~/components/lab-crumbs";
import { ActionOutcome } from "~/components/list-page";
import { ScrollingTable } from "~/components/scrolling-table";

export const meta: MetaFunction = () => [{ title: "Datasets · Model lab · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    return {
      maxUploadMb: getEnv().LAB_MAX_UPLOAD_MB,
      datasets: (await listDatasets(user)).map((d) => ({
        id: d.id,
        name: d.name,
        status: d.status,
        images: d.images,
        perClass: d.report.perClass,
        warnings: d.report.warnings.length,
        createdAt: d.createdAt.toISOString(),
      })),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "user",
    readForm: readLabUpload,
    intents: { default: uploadDatasetIntent, consented: consentedDatasetIntent },
  });
}

export default function DatasetsPage() {
  const { datasets, maxUploadMb } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const reply = replyTo(result);
  const consented = replyTo(result, "consented");
  const busy = useNavigation().state === "submitting";
  const archiveError = fieldMessage(reply, "dataset");
  const nameError = fieldMessage(reply, "name");
  return (
    <section className="panel">
      <LabCrumbs here="Datasets" />
      <h1>Datasets</h1>
      <p>
        Upload a labelled dataset as one zip archive: a folder per class (
        {CLASS_FOLDERS.map((f) => `${f}/`).join(", ")}) with the images directly inside, or a{" "}
        <code>manifest.csv</code> with the columns <code>file</code> and <code>class</code>. You see
        a validation report before the dataset can be used for training.
      </p>
      <Form method="post" encType="multipart/form-data" className="form">
        <ActionOutcome error={formMessage(reply)} />
        <div className="field">
          <label htmlFor="dataset-archive">Zip archive</label>
          <p className="hint" id="dataset-archive-hint">
            Up to {maxUploadMb} MB. JPEG, PNG, WebP or TIFF images.
          </p>
          <input
            id="dataset-archive"
            name="dataset"
            type="file"
            accept=".zip,application/zip"
            required
            aria-describedby={archiveError ? "dataset-archive-error" : "dataset-archive-hint"}
            aria-invalid={archiveError ? true : undefined}
          />
          {archiveError && (
            <p id="dataset-archive-error" role="alert" className="error">
              {archiveError}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="dataset-name">Name (optional)</label>
          <input
            id="dataset-name"
            name="name"
            maxLength={80}
            aria-invalid={nameError ? true : undefined}
          />
          {nameError && (
            <p role="alert" className="error">
              {nameError}
            </p>
          )}
        </div>
        {busy && <p role="status">Uploading and checking the images… this can take a while.</p>}
        <button type="submit" disabled={busy}>
          Upload and check
        </button>
      </Form>
      <h2>From patients&apos; analyses</h2>
      <p>
        Build a dataset from the analyses whose patient allowed research use (and has not withdrawn
        it) and whose label is a hematologist&apos;s final staging. The images get random names;
        nothing names a patient, a record or a date finer than the month. A consent withdrawn later
        keeps the image out of every later build. The dataset waits for review like an upload.
      </p>
      <Form method="post" className="form">
        <input type="hidden" name="intent" value="consented" />
        <ActionOutcome error={formMessage(consented)} />
        <div className="field">
          <label htmlFor="consented-name">Name of the built dataset (optional)</label>
          <input
            id="consented-name"
            name="name"
            maxLength={80}
            aria-invalid={fieldMessage(consented, "name") ? true : undefined}
          />
          {fieldMessage(consented, "name") && (
            <p role="alert" className="error">
              {fieldMessage(consented, "name")}
            </p>
          )}
        </div>
        <button type="submit" className="secondary" disabled={busy}>
          Build from consented analyses
        </button>
      </Form>
      <h2>Uploaded datasets ({datasets.length})</h2>
      {datasets.length === 0 ? (
        <p>No dataset yet.</p>
      ) : (
        <ScrollingTable
          label="Datasets"
          columns={["Name", "Status", "Images", ...CLASS_FOLDERS, "Warnings", "Uploaded"]}
        >
          <tbody>
            {datasets.map((d) => (
              <tr key={d.id}>
                <td>
                  <Link to={`/admin/models/datasets/${d.id}`}>{d.name}</Link>
                </td>
                <td>{DATASET_STATUS_LABELS[d.status]}</td>
                <td>{d.images}</td>
                {CLASS_FOLDERS.map((f) => (
                  <td key={f}>{d.perClass[f]}</td>
                ))}
                <td>{d.warnings}</td>
                <td>{d.createdAt.slice(0, 16).replace("T", " ")}</td>
              </tr>
            ))}
          </tbody>
        </ScrollingTable>
      )}
    </section>
  );
}
