/** The words of doctor profiles. Isomorphic; the schema imports it. */
export const VERIFICATION_STATUSES = ["pending", "verified", "rejected"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/**
 * "Dr Amira Haddad": the profile's title (if any) before the account's display name.
 * The one way a doctor is named, on pages, in notifications, the report and the FHIR export.
 */
export function doctorName(title: string | null | undefined, name: string | null | undefined) {
  const n = name?.trim() ?? "";
  const t = title?.trim();
  return t && !n.startsWith(t) ? `${t} ${n}`.trim() : n;
}
