import { consultations } from "#db/schema";
import { createClinicPatient } from "~/clinic/patients.server";
import type { Actor } from "~/auth/permissions";
import type { ClinicPatientInput } from "~/clinic/validation";
import { inTransaction } from "~/data/unit-of-work.server";
import { insertAnalysis, makeCertifiedDoctor, ORIGIN, sessionCookieFor } from "../helpers";

let counter = 0;

export async function clinicPatientOf(doctor: Actor, values: Partial<ClinicPatientInput> = {}) {
  counter += 1;
  const result = await createClinicPatient(doctor, {
    clinicRef: `MRN-${counter}`,
    name: `Walk-in Patient ${counter}`,
    birthDate: "1980-05-17",
    sex: "female",
    ...values,
  });
  if (result.status !== "created") throw new Error("expected a new clinic patient");
  return result.patient;
}

/** A certified doctor with one clinic patient. */
export async function doctorWithPatient(values: Partial<ClinicPatientInput> = {}) {
  const { user: doctor, profile } = await makeCertifiedDoctor();
  const patient = await clinicPatientOf(doctor, values);
  return { doctor, profile, patient };
}

/**
 * A clinic record without image files (for access and browser tests): the analysis of the
 * clinic patient's account and the doctor's accepted consultation, optionally decided.
 */
export async function insertClinicRecord(
  { profileId, patient }: { profileId: string; patient: { id: string; holderId: string } },
  analysis: Parameters<typeof insertAnalysis>[1] = {},
  decision: Partial<typeof consultations.$inferInsert> = {},
) {
  const row = await insertAnalysis(patient.holderId, analysis);
  const [c] = await inTransaction(({ tx }) =>
    tx
      .insert(consultations)
      .values({
        analysisId: row.id,
        patientId: patient.holderId,
        doctorProfileId: profileId,
        clinicPatientId: patient.id,
        status: "accepted",
        message: "",
        consentAt: new Date(),
        acceptedAt: new Date(),
        ...decision,
      })
      .returning(),
  );
  return { analysis: row, consultation: c };
}

export const decided = (
  doctorClass: NonNullable<(typeof consultations.$inferInsert)["doctorClass"]>,
) => ({
  status: "answered" as const,
  doctorClass,
  morphology: "Blasts with fine chromatin and scant cytoplasm.",
  recommendations: "Flow cytometry this week.",
  urgency: "soon" as const,
  answeredAt: new Date(),
});

export async function getArgs(user: { id: string } | null, path: string, params = {}) {
  const headers: Record<string, string> = user ? { Cookie: await sessionCookieFor(user.id) } : {};
  return { request: new Request(`${ORIGIN}${path}`, { headers }), params, context: {} };
}

export async function postArgs(
  user: { id: string },
  path: string,
  params: Record<string, string>,
  fields: Record<string, string> | FormData,
) {
  const body = fields instanceof FormData ? fields : new URLSearchParams(fields);
  const headers: Record<string, string> = {
    Origin: ORIGIN,
    Host: "localhost:3000",
    Cookie: await sessionCookieFor(user.id),
  };
  if (!(fields instanceof FormData)) headers["Content-Type"] = "application/x-www-form-urlencoded";
  return {
    request: new Request(`${ORIGIN}${path}`, { method: "POST", body, headers }),
    params,
    context: {},
  };
}

/** The status of an action's result: a returned Response, or `data(…, { status })`. */
export function statusOf(result: unknown): number {
  if (result instanceof Response) return result.status;
  return (result as { init?: { status?: number } }).init?.status ?? 200;
}
