/**
 * The clinic patient's form, the same for registering and for editing: the details, and the
 * probable duplicates the server found (with the box to confirm another person when allowed).
 */
import {
  getInputProps,
  getSelectProps,
  getTextareaProps,
  type SubmissionResult,
} from "@conform-to/react";
import { Link } from "@remix-run/react";
import type { Duplicate } from "~/clinic/patients.server";
import { CONTACT_MAX, SEXES, SEX_LABELS } from "~/clinic/vocabulary";
import { Field, InputField, useServerForm } from "./forms";

const REASONS: Record<Duplicate["reason"], string> = {
  clinicRef: "same clinic patient ID",
  nameAndBirthDate: "same name and date of birth",
};

/** What the save answered when it found duplicates (nothing, before a submit). */
export function duplicatesOf(result: unknown): { duplicates: Duplicate[]; canConfirm: boolean } {
  const reply = result as { duplicates?: Duplicate[]; canConfirm?: boolean } | undefined;
  return { duplicates: reply?.duplicates ?? [], canConfirm: Boolean(reply?.canConfirm) };
}

export function DuplicatesNotice({ result }: { result: unknown }) {
  const { duplicates, canConfirm } = duplicatesOf(result);
  if (duplicates.length === 0) return null;
  return (
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
          <label htmlFor="confirm-duplicate">This is another person: save them anyway</label>
        </div>
      )}
    </div>
  );
}

type ClinicPatientForm = {
  clinicRef: string;
  name: string;
  birthDate: string;
  sex: string;
  contact?: string;
};

/** The form's state, from the server's reply (and, when editing, the patient's details). */
export function useClinicPatientForm(
  lastResult: SubmissionResult<string[]> | undefined,
  defaultValue?: ClinicPatientForm,
) {
  return useServerForm<ClinicPatientForm>({ id: "clinic-patient", lastResult, defaultValue });
}

type Fields = ReturnType<typeof useClinicPatientForm>[1];

export function ClinicPatientFields({ fields }: { fields: Fields }) {
  return (
    <>
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
      <Field id={fields.sex.id} label="Sex" errors={fields.sex.errors} errorId={fields.sex.errorId}>
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
    </>
  );
}
