/** The words of reviews. Isomorphic; the schema imports it. */
export const REVIEW_STATUSES = ["visible", "flagged", "hidden"] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

/** How a reviewer is named in public: the first word of their name, nothing more. */
export const firstName = (displayName: string) => displayName.trim().split(/\s+/)[0] ?? "";
