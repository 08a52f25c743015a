/** Words for consultation values, shared by pages, the report and the FHIR export. */
import { CLASS_LABELS } from "~/classifier/classes";

export const STATUS_LABELS = {
  requested: "Waiting for the doctor",
  accepted: "Accepted — the doctor is reviewing",
  declined: "Declined",
  answered: "Answered",
  closed: "Closed",
  withdrawn: "Withdrawn",
} as const;

export const DOCTOR_CLASS_LABELS = {
  ...CLASS_LABELS,
  not_assessable: "Not assessable — needs a laboratory test",
} as const;

export const URGENCY_LABELS = {
  routine: "Routine",
  soon: "Soon (within days)",
  urgent: "Urgent (today)",
} as const;

export type DoctorClass = keyof typeof DOCTOR_CLASS_LABELS;
export type Urgency = keyof typeof URGENCY_LABELS;

/** "Dr Amira Haddad": the profile's title (if any) before the account's display name. */
export function doctorName(title: string | null | undefined, name: string): string {
  const t = title?.trim();
  return t && !name.startsWith(t) ? `${t} ${name}` : name;
}
