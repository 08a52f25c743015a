import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import { PreliminaryNotice, ResultSummary } from "~/components/analysis-result";
import { Field, fieldMessage, formMessage, RadioGroup, replyTo } from "~/components/forms";
import { ImageViewer } from "~/components/image-viewer";
import viewerStyles from "~/components/image-viewer.css?url";
import { LabCrumbs } from "~/components/lab-crumbs";
import { ActionOutcome } from "~/components/list-page";
import predictStyles from "~/lab/predict.css?url";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";
import {
  datasetTestImages,
  predictableVersions,
  predictWithVersion,
  readPredictionForm,
  type Prediction,
} from "~/lab/predict.server";
import { PredictSchema } from "~/lab/validation";
import { MAX_UPLOAD_MB } from "~/uploads/limits";

const IMAGE_SOURCES = [
  { value: "upload", label: "Upload an image" },
  { value: "dataset", label: "A test image of a dataset" },
] as const;

export const meta: MetaFunction = () => [
  { title: "Predict with a version · Model lab · HemaLink" },
];

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: viewerStyles },
  { rel: "stylesheet", href: predictStyles },
];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    const versions = await predictableVersions(user);
    const asked = new URL(request.url).searchParams.get("version");
    return {
      versions,
      chosen: versions.find((v) => v.version === asked)?.version ?? null,
      datasets: await datasetTestImages(user),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "user",
    readForm: readPredictionForm,
    intents: {
      default: intent(
        PredictSchema,
        async ({ user, value }) => ({
          prediction: await predictWithVersion(user, {
            version: value.version,
            ...(value.source === "upload"
              ? { smear: value.smear }
              : { datasetImage: value.datasetImage }),
          }),
        }),
        { hideFields: ["smear"] },
      ),
    },
  });
}

function PredictionResults({ prediction }: { prediction: Prediction }) {
  return (
    <section aria-labelledby="prediction-heading">
      <h2 id="prediction-heading">Results on {prediction.source}</h2>
      <p>
        Nothing was saved: this is not a patient&apos;s analysis. The same checks and pipeline as an
        analysis; each model judges the image on its own.
      </p>
      <div className="prediction-columns">
        {prediction.results.map((r, i) => (
          <section
            key={r.modelVersion}
            aria-label={`${r.modelVersion}${r.inUse ? " (in use)" : ""}`}
            className="prediction-column"
          >
            <h2>
              {r.modelVersion} {r.inUse && <span className="badge verified">in use</span>}
            </h2>
            <PreliminaryNotice modelVersion={r.modelVersion} />
            <ResultSummary result={r} showNextStep={false} headingId={`result-heading-${i}`} />
            <ImageViewer
              imageUrl={prediction.image}
              heatmapUrl={r.heatmap ?? undefined}
              alt={`The image, as ${r.modelVersion} saw it`}
            />
          </section>
        ))}
      </div>
    </section>
  );
}

export default function PredictPage() {
  const { versions, chosen, datasets } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const reply = replyTo(result);
  const prediction = result && "prediction" in result ? result.prediction : null;
  const errors = (field: string) => {
    const message = fieldMessage(reply, field);
    return message ? [message] : undefined;
  };
  const described = (field: string) =>
    fieldMessage(reply, field)
      ? { "aria-invalid": true, "aria-describedby": `predict-${field}-error` }
      : {};
  const navigation = useNavigation();
  return (
    <section className="panel">
      <LabCrumbs here="Predict with a version" />
      <h1>Predict with a version</h1>
      <p>
        Run any stored version — the one in use, an earlier one, or a finished job&apos;s candidate
        — on one image, beside the model in use. The image goes through the same checks as a
        patient&apos;s upload (JPEG, PNG, WebP or TIFF, at most {MAX_UPLOAD_MB} MB).
      </p>
      <Form method="post" encType="multipart/form-data" className="form predict-form">
        <ActionOutcome error={formMessage(reply)} />
        <Field
          id="predict-version"
          label="Model version"
          errors={errors("version")}
          errorId="predict-version-error"
        >
          <select
            id="predict-version"
            name="version"
            defaultValue={chosen ?? versions[0]?.version}
            {...described("version")}
          >
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                {v.label}
              </option>
            ))}
          </select>
        </Field>
        <RadioGroup
          legend="Image"
          name="source"
          options={datasets.length > 0 ? IMAGE_SOURCES : IMAGE_SOURCES.slice(0, 1)}
          defaultValue="upload"
          errors={errors("source")}
          errorId="predict-source-error"
        />
        <Field
          id="predict-smear"
          label="Image file"
          errors={errors("smear")}
          errorId="predict-smear-error"
        >
          <input
            id="predict-smear"
            name="smear"
            type="file"
            accept="image/jpeg,image/png,image/webp,image/tiff"
            {...described("smear")}
          />
        </Field>
        {datasets.length > 0 && (
          <Field
            id="predict-dataset-image"
            label="Test image of a dataset"
            hint="The test side of each dataset's split, as its report counts it."
            errors={errors("datasetImage")}
            errorId="predict-datasetImage-error"
          >
            <select id="predict-dataset-image" name="datasetImage" {...described("datasetImage")}>
              {datasets.map((d) => (
                <optgroup key={d.datasetId} label={d.name}>
                  {d.files.map((file) => (
                    <option key={file} value={`${d.datasetId}/${file}`}>
                      {file}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </Field>
        )}
        <button type="submit" disabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? "Predicting…" : "Predict"}
        </button>
      </Form>
      {prediction && <PredictionResults prediction={prediction} />}
    </section>
  );
}
