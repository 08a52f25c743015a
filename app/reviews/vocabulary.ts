/** The words of reviews. Isomorphic; the schema imports it. */
export const REVIEW_STATUSES = ["visible", "flagged", "hidden"] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
