import { getFormProps, getInputProps, getSelectProps } from "@conform-to/react";
import type { SubmissionResult } from "@conform-to/react";
import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigate, useNavigation } from "@remix-run/react";
import { lazy, Suspense, useEffect, useState, type DragEvent, type FormEvent } from "react";
import { readUpload, uploadAnalysis } from "~/analyses/upload.server";
import { UploadSchema } from "~/analyses/validation";
import { MAX_UPLOAD_MB, REFUSED_AS_TOO_LARGE } from "~/uploads/limits";
import { requireRole } from "~/auth/guards.server";
import { ClientOnly } from "~/components/client-only";
import { Field, FieldErrors, FormErrors, useServerForm } from "~/components/forms";
import { researchSettings } from "~/research/consent.server";
import { RESEARCH_CONSENT_HINT, RESEARCH_CONSENT_TEXT } from "~/research/vocabulary";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Analyse a smear · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    // A new key per render: a re-sent form (a retry after a lost answer) saves nothing twice.
    return {
      idempotencyKey: crypto.randomUUID(),
      // The research box starts from the patient's setting (off unless they turned it on).
      researchByDefault: (await researchSettings(user)).shareFutureUploads,
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "patient",
    readForm: readUpload,
    intents: {
      default: intent(UploadSchema, async ({ user, value, request }) => {
        const analysis = await uploadAnalysis(user, value, request);
        return redirect(`/analyses/${analysis.id}`);
      }),
    },
  });
}

const PrivateAnalysis = lazy(() => import("~/analyses/private-analysis.client"));

type Phase = { name: "idle" } | { name: "uploading"; percent: number } | { name: "analysing" };

/** Post with XMLHttpRequest: fetch() cannot report upload progress. */
function uploadWithProgress(
  form: HTMLFormElement,
  onProgress: (percent: number) => void,
  onUploaded: () => void,
): Promise<{ status: number; body: { links?: { page: string } } & SubmissionResult<string[]> }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/analyses");
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    xhr.upload.onload = onUploaded;
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.response ?? {} });
    xhr.onerror = () => reject(new Error("network"));
    xhr.send(new FormData(form));
  });
}

export default function NewAnalysisPage() {
  const { idempotencyKey, researchByDefault } = useLoaderData<typeof loader>();
  const actionResult = useActionData<typeof action>();
  const [lastResult, setLastResult] = useState<SubmissionResult<string[]> | undefined>();
  const [phase, setPhase] = useState<Phase>({ name: "idle" });
  const [preview, setPreview] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const navigate = useNavigate();
  const navigation = useNavigation();

  useEffect(() => setLastResult(actionResult ?? undefined), [actionResult]);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  const [form, fields] = useServerForm<Record<string, unknown>>({
    id: "upload",
    defaultValue: { researchConsent: researchByDefault ? "on" : undefined },
    // Without JavaScript the page is rendered from the action's reply: show it straight away.
    lastResult: lastResult ?? actionResult ?? undefined,
    async onSubmit(event) {
      event.preventDefault();
      setPhase({ name: "uploading", percent: 0 });
      try {
        const { status, body } = await uploadWithProgress(
          event.currentTarget as HTMLFormElement,
          (percent) => setPhase({ name: "uploading", percent }),
          () => setPhase({ name: "analysing" }),
        );
        if (status === 201 && body.links) return navigate(body.links.page);
        // A gateway in front (API Gateway's own 413 on AWS Lambda) answers without a form reply.
        if (status === 413 && !body.error) {
          setLastResult({ status: "error", error: { smear: [REFUSED_AS_TOO_LARGE] } });
        } else {
          setLastResult(body);
        }
      } catch {
        setLastResult({
          status: "error",
          error: { "": ["The upload failed. Check your connection and try again."] },
        });
      }
      setPhase({ name: "idle" });
    },
  });

  const showPreview = (file: File | undefined) => {
    setPreview(file && file.type.startsWith("image/") ? URL.createObjectURL(file) : null);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    const input = document.getElementById(fields.smear.id) as HTMLInputElement | null;
    if (!input || event.dataTransfer.files.length === 0) return;
    input.files = event.dataTransfer.files;
    showPreview(event.dataTransfer.files[0]);
  };
  const busy = phase.name !== "idle" || navigation.state === "submitting";

  return (
    <section className="panel">
      <h1>Analyse a blood smear</h1>
      <p>
        Upload or photograph a stained peripheral blood smear as seen through the microscope. The
        result is preliminary and informational; it is not a diagnosis.
      </p>
      <p>
        <a href="/guide/capture">Capture guide</a>: the stain, the objective, and how to hold a
        phone to the eyepiece so the model can assess the photo.
      </p>
      <Form
        method="post"
        encType="multipart/form-data"
        className="form"
        {...getFormProps(form)}
        onSubmit={(event: FormEvent<HTMLFormElement>) => form.onSubmit(event)}
      >
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <div
          className={dragging ? "dropzone dragging" : "dropzone"}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <Field
            id={fields.smear.id}
            label="Smear image"
            hint={`JPEG, PNG, WebP or TIFF, up to ${MAX_UPLOAD_MB} MB. Drop it here, choose a file, or take a photo.`}
            errors={fields.smear.errors}
            errorId={fields.smear.errorId}
          >
            <input
              {...getInputProps(fields.smear, { type: "file" })}
              accept="image/jpeg,image/png,image/webp,image/tiff,image/*"
              capture="environment"
              onChange={(event) => showPreview(event.currentTarget.files?.[0])}
            />
          </Field>
          {preview && <img src={preview} alt="Preview of the chosen image" className="preview" />}
        </div>
        <Field
          id={fields.ageBracket.id}
          label="Age group (optional)"
          hint="Helps suggest pediatric specialists."
          errors={fields.ageBracket.errors}
          errorId={fields.ageBracket.errorId}
        >
          <select {...getSelectProps(fields.ageBracket)}>
            <option value="">Prefer not to say</option>
            <option value="child">Child (under 18)</option>
            <option value="adult">Adult</option>
          </select>
        </Field>
        <Field
          id={fields.note.id}
          label="Note (optional)"
          errors={fields.note.errors}
          errorId={fields.note.errorId}
        >
          <textarea name={fields.note.name} id={fields.note.id} rows={3} maxLength={1000} />
        </Field>
        <div className="field">
          <label className="checkbox" htmlFor={fields.researchConsent.id}>
            <input
              {...getInputProps(fields.researchConsent, { type: "checkbox" })}
              aria-describedby={`${fields.researchConsent.id}-hint`}
            />
            {RESEARCH_CONSENT_TEXT}
          </label>
          <small id={`${fields.researchConsent.id}-hint`}>{RESEARCH_CONSENT_HINT}</small>
          <FieldErrors id={fields.researchConsent.errorId} errors={fields.researchConsent.errors} />
        </div>
        {phase.name === "uploading" && (
          <p>
            <label htmlFor="upload-progress">Uploading…</label>
            <progress id="upload-progress" max={100} value={phase.percent} />
          </p>
        )}
        {(phase.name === "analysing" || navigation.state === "submitting") && (
          <p role="status">Analysing… this takes a few seconds.</p>
        )}
        <button type="submit" disabled={busy}>
          Upload and analyse
        </button>
      </Form>
      <ClientOnly>
        {() => (
          <Suspense fallback={null}>
            <PrivateAnalysis
              getFile={() =>
                (document.getElementById(fields.smear.id) as HTMLInputElement | null)?.files?.[0]
              }
              onSave={() =>
                (document.getElementById(form.id) as HTMLFormElement | null)?.requestSubmit()
              }
            />
          </Suspense>
        )}
      </ClientOnly>
    </section>
  );
}
