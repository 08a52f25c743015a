/** The clinic workspace's forms and queries, one schema each (the server parses them). */
import { z } from "zod";
import { CLASS_IDS } from "~/analyses/vocabulary";
import { CONSULTATION_STATUSES, DOCTOR_CLASSES } from "~/consultations/vocabulary";
import {
  AGREEMENTS,
  CLINIC_REF_MAX,
  CONTACT_MAX,
  NAME_MAX,
  RECORD_ORIGINS,
  SEXES,
} from "./vocabulary";

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const isRealDate = (value: string) => {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
};

export const ClinicPatientSchema = z.object({
  clinicRef: z
    .string({ error: "Give the patient's number in your practice" })
    .trim()
    .min(1, "Give the patient's number in your practice")
    .max(CLINIC_REF_MAX, `Keep the clinic patient ID to at most ${CLINIC_REF_MAX} characters`),
  name: z
    .string({ error: "Give the patient's full name" })
    .trim()
    .min(2, "Give the patient's full name")
    .max(NAME_MAX, `Keep the name to at most ${NAME_MAX} characters`),
  birthDate: z
    .string({ error: "Give the date of birth" })
    .regex(isoDate, "Give the date of birth as YYYY-MM-DD")
    .refine(isRealDate, "This date does not exist")
    .refine((d) => d >= "1900-01-01", "Give a date of birth after 1900")
    .refine(
      (d) => d <= new Date().toISOString().slice(0, 10),
      "The date of birth cannot be in the future",
    ),
  sex: z.enum(SEXES, { error: "Choose the patient's sex (or “Not recorded”)" }),
  contact: z
    .string()
    .trim()
    .max(CONTACT_MAX, `Keep the contact details to at most ${CONTACT_MAX} characters`)
    .optional(),
  /** Ticked after the page warned of a probable duplicate: save anyway. */
  confirmDuplicate: z.boolean().optional(),
});
export type ClinicPatientInput = z.infer<typeof ClinicPatientSchema>;

/**
 * Deleting a clinic patient. One with records is erased only when asked for explicitly: the
 * box ticked and the clinic patient ID typed again (the service compares it).
 */
export const DeleteClinicPatientSchema = z.object({
  erase: z.boolean().optional(),
  confirmClinicRef: z.string().trim().max(CLINIC_REF_MAX).optional(),
});

/** The invitation sent by e-mail: the address the doctor entered or confirmed. */
const EMAIL_NEEDED = "Give the patient's e-mail address (name@example.org)";
export const InvitationEmailSchema = z.object({
  email: z
    .string({ error: EMAIL_NEEDED })
    .trim()
    .max(254, "That e-mail address is too long")
    .pipe(z.email({ error: EMAIL_NEEDED })),
});

export const PatientSearchSchema = z.object({
  q: z.string().trim().max(NAME_MAX).optional(),
  /** After a deletion: how many analyses went with the patient. */
  deleted: z.coerce.number().int().min(0).max(100_000).optional().catch(undefined),
});

const optionalDate = z
  .string()
  .regex(isoDate, "Give dates as YYYY-MM-DD")
  .refine(isRealDate, "This date does not exist")
  .optional()
  .catch(undefined);

/**
 * The records browser's filters, from the URL. A value that is not one of the choices is
 * dropped rather than refused: a link edited by hand still shows records.
 */
export const RecordsQuerySchema = z.object({
  finalClass: z.enum(DOCTOR_CLASSES).optional().catch(undefined),
  modelClass: z.enum(CLASS_IDS).optional().catch(undefined),
  agreement: z.enum(AGREEMENTS).optional().catch(undefined),
  status: z.enum(CONSULTATION_STATUSES).optional().catch(undefined),
  origin: z.enum(RECORD_ORIGINS).optional().catch(undefined),
  from: optionalDate,
  to: optionalDate,
  patient: z.string().trim().max(NAME_MAX).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});
export type RecordsQuery = z.infer<typeof RecordsQuerySchema>;

/** The invitation's token as it comes in the link: 43 base64url characters (32 bytes). */
export const InvitationTokenSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]{43}$/,
    "This invitation link is not valid. Ask your doctor for a new one.",
  );
