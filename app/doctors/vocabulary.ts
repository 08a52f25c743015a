/** The words of doctor profiles. Isomorphic; the schema imports it. */
import { labelledValues } from "../vocabulary/labelled";

export const { values: VERIFICATION_STATUSES, labels: VERIFICATION_STATUS_LABELS } = labelledValues(
  {
    pending: "Awaiting verification",
    verified: "Certified",
    suspended: "Suspended",
    rejected: "Verification declined",
  },
);
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/**
 * Only a certified profile is listed, receives new cases and sees the cases shared with it;
 * pending (again), suspended or rejected, the doctor sees none of them.
 */
export const isCertified = (status: VerificationStatus) => status === "verified";

/**
 * "Dr Amira Haddad": the profile's title (if any) before the account's display name.
 * The one way a doctor is named, on pages, in notifications, the report and the FHIR export.
 */
export function doctorName(title: string | null | undefined, name: string | null | undefined) {
  const n = name?.trim() ?? "";
  const t = title?.trim();
  return t && !n.startsWith(t) ? `${t} ${n}`.trim() : n;
}
