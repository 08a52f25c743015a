import { getFormProps } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { savePatientIntent } from "~/clinic/intents.server";
import {
  deleteClinicPatient,
  getClinicPatient,
  updateClinicPatient,
} from "~/clinic/patients.server";
import { DeleteClinicPatientSchema } from "~/clinic/validation";
import {
  ClinicPatientFields,
  DuplicatesNotice,
  useClinicPatientForm,
} from "~/components/clinic-patient-form";
import { fieldMessage, FormErrors, formMessage, replyTo } from "~/components/forms";
import { ActionOutcome } from "~/components/list-page";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Edit a patient · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const { patient, records } = await getClinicPatient(user, params.id ?? "");
    return { patient, records: records.length };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    intents: {
      default: savePatientIntent((user, value, params) =>
        updateClinicPatient(user, params.id ?? "", value),
      ),
      delete: intent(DeleteClinicPatientSchema, async ({ user, value, params }) => {
        const { erasedAnalyses } = await deleteClinicPatient(user, params.id ?? "", value);
        return redirect(`/doctor/patients?deleted=${erasedAnalyses}`);
      }),
    },
  });
}

export default function EditClinicPatientPage() {
  const { patient, records } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [form, fields] = useClinicPatientForm(replyTo(result, "default"), patient);
  const deletion = replyTo(result, "delete");
  const refused = formMessage(deletion);
  const mismatch = fieldMessage(deletion, "confirmClinicRef");
  return (
    <section className="panel">
      <p>
        <Link to={`/doctor/patients/${patient.id}`}>← {patient.name}</Link>
      </p>
      <h1>Edit {patient.name}</h1>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <DuplicatesNotice result={result} />
        <ClinicPatientFields fields={fields} />
        <button type="submit">Save the changes</button>
      </Form>

      <h2>Delete the patient</h2>
      <ActionOutcome error={refused} />
      {records === 0 ? (
        <Form method="post">
          <p>This patient has no record. Deleting removes them from your list.</p>
          <button type="submit" name="intent" value="delete" className="danger">
            Delete {patient.name}
          </button>
        </Form>
      ) : patient.claimedAt ? (
        <p>
          This patient has claimed their {records} {records === 1 ? "record" : "records"}: they are
          in the patient’s own account, and only the patient can delete them.
        </p>
      ) : (
        <Form method="post" className="form">
          <p>
            This patient has {records} {records === 1 ? "record" : "records"} (analyses, images and
            your decisions). Erasing deletes them with the patient, for good: the images are removed
            from the store and the reports can no longer be printed. The audit log keeps that you
            did it. Print or export what you must keep first.
          </p>
          <div className="checkbox">
            <input id="erase" type="checkbox" name="erase" value="on" required />
            <label htmlFor="erase">Erase the records with the patient</label>
          </div>
          <div className="field">
            <label htmlFor="confirm-clinic-ref">
              Type the clinic patient ID ({patient.clinicRef}) to confirm
            </label>
            <input
              id="confirm-clinic-ref"
              name="confirmClinicRef"
              type="text"
              autoComplete="off"
              required
              aria-invalid={mismatch ? true : undefined}
              aria-describedby={mismatch ? "confirm-clinic-ref-error" : undefined}
            />
            {mismatch && (
              <p id="confirm-clinic-ref-error" className="error">
                {mismatch}
              </p>
            )}
          </div>
          <button type="submit" name="intent" value="delete" className="danger">
            Erase {patient.name} and the records
          </button>
        </Form>
      )}
    </section>
  );
}
