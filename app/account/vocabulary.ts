/**
 * The words of a patient's data rights: what the download holds and what deleting the
 * account removes and keeps (docs/decisions/036). The one source for the page, the archive's
 * README and the doctor's notice. Isomorphic.
 */

export const EXPORT_CONTENTS = [
  "your profile (name and e-mail) as a FHIR Patient",
  "every analysis as a FHIR DiagnosticReport with its Observations (the model's probabilities, the capture measurements and, once reviewed, the hematologist's assessment)",
  "your consultations (FHIR ServiceRequest) and their messages (FHIR Communication)",
  "every image you uploaded, its thumbnail and its heat-map",
] as const;

export const DELETION_REMOVES = [
  "your account, its sessions and your notifications",
  "every analysis and every image you uploaded",
  "your consultations and their messages (the hematologist is told the case was withdrawn)",
  "your reviews of doctors",
] as const;

export const DELETION_KEEPS =
  "The security log keeps the record of what was done, under a random account number only: no name, e-mail or health data. It cannot be altered.";

/** What the doctor of an open case reads: no patient name, nothing left to open. */
export const ACCOUNT_DELETED_NOTICE =
  "A patient deleted their account: a case shared with you was withdrawn and removed.";

export const EXPORT_FILE_PREFIX = "hemalink-my-data";
