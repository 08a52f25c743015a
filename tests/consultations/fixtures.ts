import { acceptRequest, answerConsultation, shareAnalysis } from "~/consultations/lifecycle.server";
import type { Actor } from "~/auth/permissions";
import type { AnswerInput } from "~/consultations/validation";
import { insertAnalysis, makeCertifiedDoctor, makeUser } from "../helpers";

type CertifiedDoctor = Awaited<ReturnType<typeof makeCertifiedDoctor>>;

/** What a patient sends when sharing a case with a doctor's profile. */
export const shareInput = (
  doctorProfileId: string,
  message = "The model says early pre-B; what does that mean for us?",
) => ({ doctorProfileId, message, consent: true as const });

/** The patient shares their analysis with the doctor of `doctorProfileId`. */
export const shareCase = (
  patient: Actor,
  analysisId: string,
  doctorProfileId: string,
  message?: string,
) => shareAnalysis(patient, analysisId, shareInput(doctorProfileId, message));

/** A patient who shared a new analysis with `doctor` (a new certified one by default). */
export async function sharedCase(doctor?: CertifiedDoctor) {
  const patient = await makeUser("patient");
  const analysis = await insertAnalysis(patient.id);
  const dr = doctor ?? (await makeCertifiedDoctor({ offersTeleconsultation: true }));
  const c = await shareCase(patient, analysis.id, dr.profile.id);
  return { patient, doctor: dr.user, profileId: dr.profile.id, analysis, id: c.id };
}

/** A shared case the doctor accepted and answered with `answer`. */
export async function answeredCase(answer: AnswerInput) {
  const c = await sharedCase();
  await acceptRequest(c.doctor, c.id);
  await answerConsultation(c.doctor, c.id, answer);
  return c;
}
