/**
 * The words of the clinic workspace: a doctor's own patients, their sex, the records
 * browser's filters and the invitation's lifetime. Isomorphic: pages, validation and the
 * schema read them from here.
 */

/** As FHIR's administrative gender, so the export needs no mapping table. */
export const SEXES = ["female", "male", "other", "unknown"] as const;
export type Sex = (typeof SEXES)[number];

export const SEX_LABELS: Record<Sex, string> = {
  female: "Female",
  male: "Male",
  other: "Other",
  unknown: "Not recorded",
};

/** Length limits of a clinic patient's fields (the form, the validation and the page agree). */
export const CLINIC_REF_MAX = 40;
export const NAME_MAX = 120;
export const CONTACT_MAX = 500;

/** How long an invitation to claim the records stays valid. */
export const INVITATION_VALID_DAYS = 14;

/** Where a record comes from, in the records browser. */
export const RECORD_ORIGINS = ["clinic", "shared"] as const;
export type RecordOrigin = (typeof RECORD_ORIGINS)[number];

export const RECORD_ORIGIN_LABELS: Record<RecordOrigin, string> = {
  clinic: "My clinic patient",
  shared: "Shared by a patient",
};

/** Model vs doctor, counted as decision 046 counts it (`CONFIRMS_MODEL_CLASS`). */
export const AGREEMENTS = ["agree", "disagree", "model_cant_assess", "unanswered"] as const;
export type Agreement = (typeof AGREEMENTS)[number];

export const AGREEMENT_LABELS: Record<Agreement, string> = {
  agree: "Doctor confirmed the model",
  disagree: "Doctor differed from the model",
  model_cant_assess: "Model could not assess (nothing to compare)",
  unanswered: "No decision yet",
};

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
