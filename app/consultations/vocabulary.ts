/**
 * The words of consultations: statuses, the doctor's answer classes, urgencies and their
 * labels. The one source for pages, the report, the FHIR export, validation and the schema.
 * Isomorphic.
 */
import { CLASS_IDS, CLASS_LABELS, type ClassId } from "../analyses/vocabulary";
import { labelledValues } from "../vocabulary/labelled";

export const { values: CONSULTATION_STATUSES, labels: STATUS_LABELS } = labelledValues({
  requested: "Waiting for the doctor",
  accepted: "Accepted — the doctor is reviewing",
  declined: "Declined",
  answered: "Answered",
  closed: "Closed",
  withdrawn: "Withdrawn",
});
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

/** A consultation the doctor may still act on and the patient may withdraw. */
export const OPEN_STATUSES = ["requested", "accepted"] as const satisfies ConsultationStatus[];

/** A consultation the doctor answered (and perhaps since closed): it holds their final word. */
export const ANSWERED_STATUSES = ["answered", "closed"] as const satisfies ConsultationStatus[];

/**
 * A consultation still being talked about: messages are open, the patient is told of access
 * changes, and the doctor is told when the patient deletes the account.
 */
export const LIVE_STATUSES = [
  "requested",
  "accepted",
  "answered",
] as const satisfies ConsultationStatus[];

const oneOf = (statuses: readonly ConsultationStatus[]) => (status: ConsultationStatus) =>
  statuses.includes(status);

/** Whether the consultation holds the doctor's answer (`ANSWERED_STATUSES`). */
export const isAnswered = oneOf(ANSWERED_STATUSES);

/** Whether the consultation is still being talked about (`LIVE_STATUSES`). */
export const isLive = oneOf(LIVE_STATUSES);

/**
 * The doctor confirms or corrects the model with one of its four classes, or answers beyond
 * them: no leukaemia at all, another leukaemia than B-ALL, reactive changes, or an image that
 * cannot be judged. Stored as these ids (text column); new ids are only ever appended.
 */
export const FINDINGS_BEYOND_MODEL = [
  "no_leukaemia_seen",
  "other_leukaemia_suspected",
  "reactive_changes",
  "not_assessable",
] as const;
export const DOCTOR_CLASSES = [...CLASS_IDS, ...FINDINGS_BEYOND_MODEL] as const;
export type DoctorClass = (typeof DOCTOR_CLASSES)[number];

/** Whether an answer is one of the model's four staging classes, not a finding beyond them. */
export const isStagingClass = (c: DoctorClass): c is ClassId =>
  (CLASS_IDS as readonly DoctorClass[]).includes(c);

export const DOCTOR_CLASS_LABELS: Record<DoctorClass, string> = {
  ...CLASS_LABELS,
  no_leukaemia_seen: "No leukaemia seen",
  other_leukaemia_suspected: "Other leukaemia suspected (e.g. AML, CLL)",
  reactive_changes: "Reactive changes",
  not_assessable: "Not assessable — needs a laboratory test",
};

/**
 * Which of the model's classes an answer confirms (decision 046): each B-ALL class itself;
 * "no leukaemia seen" and "reactive changes" the model's benign class (both say: not
 * leukaemic); "other leukaemia suspected" and "not assessable" none of them.
 */
export const CONFIRMS_MODEL_CLASS: Record<DoctorClass, ClassId | null> = {
  benign: "benign",
  early_pre_b: "early_pre_b",
  pre_b: "pre_b",
  pro_b: "pro_b",
  no_leukaemia_seen: "benign",
  reactive_changes: "benign",
  other_leukaemia_suspected: null,
  not_assessable: null,
};

export const confirmsModel = (doctorClass: DoctorClass, modelClass: ClassId) =>
  CONFIRMS_MODEL_CLASS[doctorClass] === modelClass;

/** The doctor's answers that confirm a model class, for that class (the monitoring's diagonal). */
export const confirmingAnswers = (modelClass: ClassId) =>
  DOCTOR_CLASSES.filter((d) => CONFIRMS_MODEL_CLASS[d] === modelClass);

/** Length limits of the doctor's two texts (the form, the validation and the page agree). */
export const MORPHOLOGY_MIN = 10;
export const MORPHOLOGY_MAX = 4000;
export const ADVICE_MIN = 5;
export const ADVICE_MAX = 4000;

export const { values: URGENCIES, labels: URGENCY_LABELS } = labelledValues({
  routine: "Routine",
  soon: "Soon (within days)",
  urgent: "Urgent (today)",
});
export type Urgency = (typeof URGENCIES)[number];
