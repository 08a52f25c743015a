/**
 * The words of consultations: statuses, the doctor's answer classes, urgencies and their
 * labels. The one source for pages, the report, the FHIR export, validation and the schema.
 * Isomorphic.
 */
import { CLASS_IDS, CLASS_LABELS } from "../analyses/vocabulary";

export const CONSULTATION_STATUSES = [
  "requested",
  "accepted",
  "declined",
  "answered",
  "closed",
  "withdrawn",
] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

export const STATUS_LABELS: Record<ConsultationStatus, string> = {
  requested: "Waiting for the doctor",
  accepted: "Accepted — the doctor is reviewing",
  declined: "Declined",
  answered: "Answered",
  closed: "Closed",
  withdrawn: "Withdrawn",
};

/** A consultation the doctor may still act on and the patient may withdraw. */
export const OPEN_STATUSES = ["requested", "accepted"] as const satisfies ConsultationStatus[];

/** A consultation still being talked about: messages are open, and the patient is told of access changes. */
export const LIVE_STATUSES = [
  "requested",
  "accepted",
  "answered",
] as const satisfies ConsultationStatus[];

/** The doctor confirms or corrects the model, or says the image cannot be judged. */
export const DOCTOR_CLASSES = [...CLASS_IDS, "not_assessable"] as const;
export type DoctorClass = (typeof DOCTOR_CLASSES)[number];

export const DOCTOR_CLASS_LABELS: Record<DoctorClass, string> = {
  ...CLASS_LABELS,
  not_assessable: "Not assessable — needs a laboratory test",
};

export const URGENCIES = ["routine", "soon", "urgent"] as const;
export type Urgency = (typeof URGENCIES)[number];

export const URGENCY_LABELS: Record<Urgency, string> = {
  routine: "Routine",
  soon: "Soon (within days)",
  urgent: "Urgent (today)",
};
