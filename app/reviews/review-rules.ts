/** Shown beside the review form; kept out of validation.ts so the page ships no schema library. */
export const REVIEW_RULES = [
  "Be respectful and describe your own experience.",
  "Do not include personal health details.",
  "Do not name other people.",
];
