/**
 * Years on a doctor's profile: when they were board-certified and since when they practise.
 * Isomorphic (the profile form validates with it; the pages and the map show it). Years in
 * practice are counted from the start year each time they are shown, so they never go stale.
 */

/** No practising doctor qualified before this; earlier years are typing mistakes. */
export const EARLIEST_PROFILE_YEAR = 1950;

export type ProfileYears = {
  boardCertificationYear: number | null;
  practiceStartYear: number | null;
};

/** Whole years from the start year to `now` (0 in the first year), or null when not stated. */
export function yearsInPractice(startYear: number | null, now: Date = new Date()): number | null {
  if (startYear === null) return null;
  return Math.max(0, now.getFullYear() - startYear);
}

/** "18 years in practice", "In practice since 2026" (the first year), or null. */
export function practiceLabel(startYear: number | null, now: Date = new Date()): string | null {
  const years = yearsInPractice(startYear, now);
  if (years === null) return null;
  if (years === 0) return `In practice since ${startYear}`;
  return `${years} ${years === 1 ? "year" : "years"} in practice`;
}

/** "Board-certified 2009", or null. */
export const certificationLabel = (year: number | null): string | null =>
  year === null ? null : `Board-certified ${year}`;

/** "Board-certified 2009 · 18 years in practice"; empty when neither is stated. */
export function yearsSummary(p: ProfileYears, now: Date = new Date()): string {
  return [certificationLabel(p.boardCertificationYear), practiceLabel(p.practiceStartYear, now)]
    .filter(Boolean)
    .join(" · ");
}
