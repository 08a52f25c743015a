/**
 * A smear upload, shared by the patient's upload and the clinic's: the file field (choose a
 * file or take a photo) and the progress bar. With
 * JavaScript the form is posted with XMLHttpRequest (fetch() cannot report upload progress)
 * to the page's JSON endpoint, which answers 201 with the page to open next, or the form's
 * reply; without JavaScript the form posts to the page's own action as before.
 */
import { getInputProps, type FieldMetadata, type SubmissionResult } from "@conform-to/react";
import { useNavigate } from "@remix-run/react";
import { useEffect, useState, type ChangeEvent } from "react";
import { MAX_UPLOAD_MB, REFUSED_AS_TOO_LARGE } from "~/uploads/limits";
import { Field } from "./forms";

export type UploadPhase =
  { name: "idle" } | { name: "uploading"; percent: number } | { name: "analysing" };

type Reply = SubmissionResult<string[]>;
type Answer = { status: number; body: { links?: { page: string } } & Reply };

function postWithProgress(
  url: string,
  form: HTMLFormElement,
  onProgress: (percent: number) => void,
  onUploaded: () => void,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
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

/**
 * The upload's state: `submit(form)` posts to `url` and opens the answer's page, or keeps the
 * reply for the form (`lastResult`, which starts from the page action's reply without JS).
 */
export function useUploadWithProgress(url: string, actionResult: Reply | undefined) {
  const [reply, setReply] = useState<Reply | undefined>();
  const [phase, setPhase] = useState<UploadPhase>({ name: "idle" });
  const navigate = useNavigate();
  useEffect(() => setReply(actionResult ?? undefined), [actionResult]);

  async function submit(form: HTMLFormElement) {
    setPhase({ name: "uploading", percent: 0 });
    try {
      const { status, body } = await postWithProgress(
        url,
        form,
        (percent) => setPhase({ name: "uploading", percent }),
        () => setPhase({ name: "analysing" }),
      );
      if (status === 201 && body.links) return navigate(body.links.page);
      // A gateway in front (API Gateway's own 413 on AWS Lambda) answers without a form reply.
      if (status === 413 && !body.error) {
        setReply({ status: "error", error: { smear: [REFUSED_AS_TOO_LARGE] } });
      } else {
        setReply(body);
      }
    } catch {
      setReply({
        status: "error",
        error: { "": ["The upload failed. Check your connection and try again."] },
      });
    }
    setPhase({ name: "idle" });
  }

  return { phase, submit, lastResult: reply ?? actionResult ?? undefined };
}

/** The bar while the file goes up, then "Analysing…" (also after a form post without JS). */
export function UploadProgress({ phase, submitting }: { phase: UploadPhase; submitting: boolean }) {
  return (
    <>
      {phase.name === "uploading" && (
        <p>
          <label htmlFor="upload-progress">Uploading…</label>
          <progress id="upload-progress" max={100} value={phase.percent} />
        </p>
      )}
      {(phase.name === "analysing" || submitting) && (
        <p role="status">Analysing… this takes a few seconds.</p>
      )}
    </>
  );
}

/** The smear's file input: the formats the intake takes, and the camera on a phone. */
export function SmearFileField({
  field,
  hint = "Choose a file or take a photo.",
  onChange,
}: {
  field: FieldMetadata<unknown>;
  hint?: string;
  onChange?: (event: ChangeEvent<HTMLInputElement>) => void;
}) {
  return (
    <Field
      id={field.id}
      label="Smear image"
      hint={`JPEG, PNG, WebP or TIFF, up to ${MAX_UPLOAD_MB} MB. ${hint}`}
      errors={field.errors}
      errorId={field.errorId}
    >
      <input
        {...getInputProps(field, { type: "file" })}
        accept="image/jpeg,image/png,image/webp,image/tiff,image/*"
        capture="environment"
        onChange={onChange}
      />
    </Field>
  );
}

/** The upload's optional note, kept with the analysis. */
export function NoteField({ field }: { field: FieldMetadata<unknown> }) {
  return (
    <Field id={field.id} label="Note (optional)" errors={field.errors} errorId={field.errorId}>
      <textarea name={field.name} id={field.id} rows={3} maxLength={1000} />
    </Field>
  );
}
