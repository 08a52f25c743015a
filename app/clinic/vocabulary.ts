/**
 * The words of the clinic workspace: a doctor's own patients, their sex, the records
 * browser's filters and the invitation's lifetime. Isomorphic: pages, validation and the
 * schema read them from here.
 */
import { labelledValues } from "../vocabulary/labelled";

/** As FHIR's administrative gender, so the export needs no mapping table. */
export const { values: SEXES, labels: SEX_LABELS } = labelledValues({
  female: "Female",
  male: "Male",
  other: "Other",
  unknown: "Not recorded",
});
export type Sex = (typeof SEXES)[number];

/** Length limits of a clinic patient's fields (the form, the validation and the page agree). */
export const CLINIC_REF_MAX = 40;
export const NAME_MAX = 120;
export const CONTACT_MAX = 500;

/** How long an invitation to claim the records stays valid. */
export const INVITATION_VALID_DAYS = 14;

/**
 * Invitation e-mails per rate-limit window: for one clinic patient (a mistyped address is
 * corrected once or twice), and for one doctor (nobody's practice sends dozens in minutes).
 */
export const INVITATION_MAILS_PER_PATIENT = 3;
export const INVITATION_MAILS_PER_DOCTOR = 20;

/** The first e-mail address written in the contact details, to offer for the invitation. */
export function emailInContact(contact: string | null | undefined): string {
  return contact?.match(/[^\s<>(),;:"]+@[^\s<>(),;:"]+\.[A-Za-z]{2,}/)?.[0] ?? "";
}

/** Where a record comes from, in the records browser. */
export const { values: RECORD_ORIGINS, labels: RECORD_ORIGIN_LABELS } = labelledValues({
  clinic: "My clinic patient",
  shared: "Shared by a patient",
});
export type RecordOrigin = (typeof RECORD_ORIGINS)[number];

/** Model vs doctor, counted as decision 046 counts it (`CONFIRMS_MODEL_CLASS`). */
export const { values: AGREEMENTS, labels: AGREEMENT_LABELS } = labelledValues({
  agree: "Doctor confirmed the model",
  disagree: "Doctor differed from the model",
  model_cant_assess: "Model could not assess (nothing to compare)",
  unanswered: "No decision yet",
});
export type Agreement = (typeof AGREEMENTS)[number];

/** Records per page in the records browser, and images per class in the image browser. */
export const RECORDS_PAGE_SIZE = 20;
export const IMAGES_PER_CLASS = 24;

/** "Ana María Núñez " and "ana maria nunez" are the same name when looking for duplicates. */
export const nameKey = (name: string) =>
  name
    .normalize("NFKD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
