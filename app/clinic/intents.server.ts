/**
 * The clinic patient form's save, shared by registration and editing: saved → the patient's
 * page; a probable duplicate → nothing saved, the form back with its values, the duplicates
 * and whether the doctor may confirm that this is another person (409).
 */
import { data, redirect } from "@remix-run/node";
import type { SessionUser } from "~/auth/session.server";
import { intent } from "~/http/pipeline.server";
import {
  CLINIC_REF_TAKEN,
  SAME_PERSON,
  type CreateResult,
  type Duplicate,
  type UpdateResult,
} from "./patients.server";
import { ClinicPatientSchema, type ClinicPatientInput } from "./validation";

export const savePatientIntent = (
  save: (
    user: SessionUser,
    value: ClinicPatientInput,
    params: Record<string, string | undefined>,
  ) => Promise<CreateResult | UpdateResult>,
) =>
  intent(ClinicPatientSchema, async ({ user, value, submission, params }) => {
    const result = await save(user, value, params);
    if (result.status !== "duplicates") return redirect(`/doctor/patients/${result.patient.id}`);
    const sameRef = result.duplicates.some((d) => d.reason === "clinicRef");
    return data(
      {
        ...submission.reply({ formErrors: [sameRef ? CLINIC_REF_TAKEN : SAME_PERSON] }),
        duplicates: result.duplicates as Duplicate[],
        canConfirm: !sameRef,
      },
      { status: 409 },
    );
  });
