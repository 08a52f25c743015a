import { getFormProps, getInputProps, getSelectProps, getTextareaProps } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { certifiedProfileOf } from "~/clinic/access.server";
import { createClinicPatient, type Duplicate } from "~/clinic/patients.server";
import { ClinicPatientSchema } from "~/clinic/validation";
import { CONTACT_MAX, SEXES, SEX_LABELS } from "~/clinic/vocabulary";
import { Field, FormErrors, InputField, useServerForm } from "~/components/forms";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Register a patient · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    await certifiedProfileOf(user);
    return null;
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    intents: {
      default: intent(ClinicPatientSchema, async ({ user, value, submission }) => {
        const result = await createClinicPatient(user, value);
        if (result.status === "created") return redirect(`/doctor/patients/${result.patient.id}`);
        // Nothing saved: the form comes back with its values and the probable duplicates.
        const sameRef = result.duplicates.some((d) => d.reason === "clinicRef");
        return data(
          {
            ...submission.reply({
              formErrors: [
                sameRef
                  ? "You already have a patient with this clinic patient ID. Open their record, or give another ID."
                  : "This may be a patient you already registered (same name and date of birth). Open their record, or confirm that this is another person.",
              ],
            }),
            duplicates: result.duplicates,
            canConfirm: !sameRef,
          },
          { status: 409 },
        );
      }),
    },
  });
}

const REASONS: Record<Duplicate["reason"], string> = {
  clinicRef: "same clinic patient ID",
  nameAndBirthDate: "same name and date of birth",
};

export default function NewClinicPatientPage() {
  const result = useActionData<typeof action>();
  const duplicates = result && "duplicates" in result ? result.duplicates : [];
  const canConfirm = Boolean(result && "canConfirm" in result && result.canConfirm);
  const [form, fields] = useServerForm({ id: "clinic-patient", lastResult: result });
  return (
    <section className="panel">
      <h1>Register a patient</h1>
      <p>
        A patient of your practice. Only you see their record; you can later invite them to claim it
        in their own HemaLink account.
      </p>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        {duplicates.length > 0 && (
          <div role="note" className="notice" aria-label="Possible duplicates">
            <p>Already registered:</p>
            <ul>
              {duplicates.map((d) => (
                <li key={d.id}>
                  <Link to={`/doctor/patients/${d.id}`}>
                    {d.name} (ID {d.clinicRef}, born {d.birthDate})
                  </Link>{" "}
                  — {REASONS[d.reason]}
                </li>
              ))}
            </ul>
            {canConfirm && (
              <div className="checkbox">
                <input id="confirm-duplicate" type="checkbox" name="confirmDuplicate" value="on" />
                <label htmlFor="confirm-duplicate">
                  This is another person: register them anyway
                </label>
              </div>
            )}
          </div>
        )}
        <InputField
          field={fields.clinicRef}
          label="Clinic patient ID"
          type="text"
          hint="Your practice's number for this patient; unique among your patients."
        />
        <InputField field={fields.name} label="Full name" type="text" autoComplete="off" />
        <Field
          id={fields.birthDate.id}
          label="Date of birth"
          errors={fields.birthDate.errors}
          errorId={fields.birthDate.errorId}
        >
          <input {...getInputProps(fields.birthDate, { type: "date" })} />
        </Field>
        <Field
          id={fields.sex.id}
          label="Sex"
          errors={fields.sex.errors}
          errorId={fields.sex.errorId}
        >
          <select {...getSelectProps(fields.sex)}>
            <option value="">Choose…</option>
            {SEXES.map((s) => (
              <option key={s} value={s}>
                {SEX_LABELS[s]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id={fields.contact.id}
          label="Contact (optional)"
          hint="Phone, e-mail or address, as your practice keeps them."
          errors={fields.contact.errors}
          errorId={fields.contact.errorId}
        >
          <textarea {...getTextareaProps(fields.contact)} rows={3} maxLength={CONTACT_MAX} />
        </Field>
        <button type="submit">Save the patient</button>
      </Form>
    </section>
  );
}
