import { getFormProps } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { readUpload } from "~/analyses/upload.server";
import { UploadSchema } from "~/analyses/validation";
import { requireRole } from "~/auth/guards.server";
import { ownClinicPatient } from "~/clinic/access.server";
import { analyseForClinicPatient } from "~/clinic/intake.server";
import { FormErrors, useServerForm } from "~/components/forms";
import {
  NoteField,
  SmearFileField,
  UploadProgress,
  useUploadWithProgress,
} from "~/components/smear-upload";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Analyse a smear for a patient · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const patient = await ownClinicPatient(user, params.id ?? "");
    // A new key per render: a re-sent form saves nothing twice.
    return {
      patient: { id: patient.id, name: patient.name, clinicRef: patient.clinicRef },
      idempotencyKey: crypto.randomUUID(),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    readForm: readUpload,
    intents: {
      default: intent(UploadSchema, async ({ user, value, request, params }) => {
        const { consultationId } = await analyseForClinicPatient(
          user,
          params.id ?? "",
          value,
          request,
        );
        return redirect(`/doctor/cases/${consultationId}`);
      }),
    },
  });
}

export default function ClinicAnalysisPage() {
  const { patient, idempotencyKey } = useLoaderData<typeof loader>();
  const actionResult = useActionData<typeof action>();
  const upload = useUploadWithProgress(`/api/clinic/patients/${patient.id}/analyses`, actionResult);
  const navigation = useNavigation();
  const [form, fields] = useServerForm({
    id: "clinic-upload",
    lastResult: upload.lastResult,
    async onSubmit(event) {
      event.preventDefault();
      await upload.submit(event.currentTarget as HTMLFormElement);
    },
  });
  const busy = upload.phase.name !== "idle" || navigation.state === "submitting";
  return (
    <section className="panel">
      <p>
        <Link to={`/doctor/patients/${patient.id}`}>← {patient.name}</Link>
      </p>
      <h1>Analyse a smear for {patient.name}</h1>
      <p>
        Clinic patient ID {patient.clinicRef}. The same checks, staging model and heat-map as a
        patient’s own upload; you then record your decision on the review page.{" "}
        <a href="/guide/capture">Capture guide</a>.
      </p>
      <Form method="post" encType="multipart/form-data" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <SmearFileField field={fields.smear} />
        <NoteField field={fields.note} />
        <UploadProgress phase={upload.phase} submitting={navigation.state === "submitting"} />
        <button type="submit" disabled={busy}>
          Upload and analyse
        </button>
      </Form>
    </section>
  );
}
