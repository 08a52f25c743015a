import { z } from "zod";
import { CURRENCIES, minorDigits, type Fee, type FeeKind } from "./fees";
import { LANGUAGES } from "./languages";
import { EARLIEST_PROFILE_YEAR } from "./profile-details";
import { SPECIALTY_IDS, type Specialty } from "./specialties";
import { VERIFICATION_STATUSES } from "./vocabulary";

/** Languages offered in forms and filters (free text would split "English" / "english"). */

const text = (label: string, max: number) =>
  z
    .string({ error: `Enter the ${label}` })
    .trim()
    .min(1, `Enter the ${label}`)
    .max(max, `Keep the ${label} under ${max} characters`);
const optionalText = (label: string, max: number) =>
  z.string().trim().max(max, `Keep the ${label} under ${max} characters`).optional();

// conform's parseWithZod coerces form strings: one checked box to an array, "on" to true,
// numeric text to numbers, empty text to undefined.
const list = <T extends string>(values: readonly T[], message: string) =>
  z
    .array(z.enum(values as unknown as [T, ...T[]], { error: message }), { error: message })
    .min(1, message);

const FEE_OPTIONS = ["unstated", "free", "paid"] as const;
/** One kind of fee in the form: not stated / free / paid, with amount and currency. */
const feeChoice = z.enum(FEE_OPTIONS).default("unstated");
const feeAmount = z
  .number({ error: "Enter the fee as a number, e.g. 80 or 49.50" })
  .min(0, "A fee cannot be negative")
  .max(100_000, "Enter a fee under 100,000")
  .optional();
const feeCurrency = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => CURRENCIES.includes(c), "Use a three-letter currency code, e.g. EUR, USD, INR")
  .optional();

/**
 * A year on the profile (board certification, start of practice): optional, a whole year from
 * EARLIEST_PROFILE_YEAR to this year (checked when the form is parsed, so never "stale").
 */
const profileYear = (label: string) =>
  z
    .number({ error: `Enter the ${label} as four digits, e.g. 2009` })
    .int(`Enter the ${label} as four digits, e.g. 2009`)
    .min(EARLIEST_PROFILE_YEAR, `Enter a ${label} from ${EARLIEST_PROFILE_YEAR} on`)
    .refine((year) => year <= new Date().getFullYear(), `The ${label} cannot be in the future`)
    .optional();

type FeeFields = { fee: (typeof FEE_OPTIONS)[number]; amount?: number; currency?: string };

/** A paid fee needs an amount in the currency's units (no third decimal in EUR, none in JPY). */
function checkFee(kind: FeeKind, { fee, amount, currency }: FeeFields, ctx: z.RefinementCtx) {
  if (fee !== "paid") return;
  if (amount === undefined)
    ctx.addIssue({ code: "custom", path: [`${kind}Amount`], message: "Enter the fee" });
  if (currency === undefined)
    ctx.addIssue({ code: "custom", path: [`${kind}Currency`], message: "Enter the currency" });
  if (amount !== undefined && currency !== undefined && CURRENCIES.includes(currency)) {
    const minor = amount * 10 ** minorDigits(currency);
    if (Math.abs(minor - Math.round(minor)) > 1e-6)
      ctx.addIssue({
        code: "custom",
        path: [`${kind}Amount`],
        message: `${currency} amounts have at most ${minorDigits(currency)} decimals`,
      });
  }
}

/** The stored fee of a validated form, or null when not stated. */
export function feeOf({ fee, amount, currency }: FeeFields): Fee | null {
  if (fee === "free") return { kind: "free" };
  if (fee !== "paid" || amount === undefined || currency === undefined) return null;
  return { kind: "paid", amountMinor: Math.round(amount * 10 ** minorDigits(currency)), currency };
}

/** Shared by the profile form (browser) and the server. */
export const ProfileSchema = z
  .object({
    title: optionalText("title", 40),
    licenceNumber: text("licence number", 60),
    licenceAuthority: text("issuing authority", 120),
    boardCertifications: z
      .string({ error: "List at least one board certification" })
      .trim()
      .min(1, "List at least one board certification")
      .max(500, "Keep the certifications under 500 characters"),
    boardCertificationYear: profileYear("board-certification year"),
    practiceStartYear: profileYear("start year of practice"),
    specialties: list<Specialty>(SPECIALTY_IDS, "Choose at least one specialty"),
    languages: list(LANGUAGES, "Choose at least one language"),
    clinicName: text("clinic name", 120),
    streetAddress: text("street address", 200),
    city: text("city", 100),
    country: z
      .string({ error: "Enter the country code" })
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "Use the two-letter country code, e.g. FR"),
    lat: z
      .number({ error: "Set the location on the map or from the city" })
      .min(-90, "Latitude must be between −90 and 90")
      .max(90, "Latitude must be between −90 and 90"),
    lng: z
      .number({ error: "Set the location on the map or from the city" })
      .min(-180, "Longitude must be between −180 and 180")
      .max(180, "Longitude must be between −180 and 180"),
    offersTeleconsultation: z.boolean().default(false),
    acceptsNewPatients: z.boolean().default(false),
    bio: optionalText("bio", 1000),
    phone: z
      .string()
      .trim()
      .max(40)
      .regex(/^[+\d][\d\s().-]{4,}$/, "Enter a phone number with digits, spaces, + ( ) -")
      .optional(),
    website: z
      .string()
      .trim()
      .max(200)
      .regex(/^https?:\/\/[^\s<>"]+$/i, "Enter a web address starting with https://")
      .optional(),
    education: z
      .string()
      .trim()
      .max(1500, "Keep education and training under 1,500 characters")
      .refine(
        (v) => certificationList(v).every((line) => line.length <= 200),
        "Keep each line of education and training under 200 characters",
      )
      .optional(),
    inPersonFee: feeChoice,
    inPersonAmount: feeAmount,
    inPersonCurrency: feeCurrency,
    teleconsultationFee: feeChoice,
    teleconsultationAmount: feeAmount,
    teleconsultationCurrency: feeCurrency,
  })
  .superRefine((v, ctx) => {
    checkFee(
      "inPerson",
      { fee: v.inPersonFee, amount: v.inPersonAmount, currency: v.inPersonCurrency },
      ctx,
    );
    checkFee(
      "teleconsultation",
      {
        fee: v.teleconsultationFee,
        amount: v.teleconsultationAmount,
        currency: v.teleconsultationCurrency,
      },
      ctx,
    );
  });

export type ProfileInput = z.infer<typeof ProfileSchema>;

/** Splits the certifications textarea into one entry per line or semicolon. */
export const certificationList = (value: string) =>
  value
    .split(/[\n;]/)
    .map((v) => v.trim())
    .filter(Boolean);

/** "Set the pin from the city": the typed city and country, resolved offline. */
export const LocateSchema = z.object({
  city: z
    .string()
    .trim()
    .optional()
    .transform((city) => city ?? ""),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .optional()
    .transform((country) => country ?? ""),
});

/** The admin's verification decision: approve, or reject with a reason for the doctor. */
export const DecisionSchema = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("approve"), profileId: z.string().min(1) }),
  z.object({
    decision: z.literal("reject"),
    profileId: z.string().min(1),
    reason: z
      .string({ error: "Give the doctor a reason" })
      .trim()
      .min(5, "Give the doctor a reason (at least 5 characters)")
      .max(500, "Keep the reason under 500 characters"),
  }),
]);

const reasonFor = (what: string) =>
  z
    .string({ error: `Give the doctor a reason for ${what}` })
    .trim()
    .min(5, `Give the doctor a reason for ${what} (at least 5 characters)`)
    .max(500, "Keep the reason under 500 characters");

/** The admin suspends a certified doctor, with a reason the doctor sees. */
export const SuspendSchema = z.object({
  profileId: z.string().min(1),
  reason: reasonFor("the suspension"),
});

/** The admin lifts a suspension: the profile is certified again. */
export const ReinstateSchema = z.object({ profileId: z.string().min(1) });

/** The admin's doctor list: search, status filter ("all" for every status) and page. */
export const AdminDoctorQuerySchema = z.object({
  q: z.string().trim().max(100).catch(""),
  status: z.enum([...VERIFICATION_STATUSES, "all"]).catch("pending"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
});

/** The profile photo form: one image file (its checks are in ./photo.server.ts). */
export const PhotoSchema = z.object({
  photo: z.instanceof(File, { error: "Choose a photo to upload." }),
});
