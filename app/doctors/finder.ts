import { labelledValues } from "../vocabulary/labelled";

/** Finder settings shared by the page (browser) and the server. */
export const RADII = [10, 25, 50, 100, 250] as const;
/** Fewer results than this widen the radius to the next step. */
export const MIN_RESULTS = 5;
/** Results shown per search. */
export const RESULTS = 20;
/** Orders of the result list: the ranking, nearest first, best rated first, fastest reply first. */
export const { values: SORTS, labels: SORT_LABELS } = labelledValues({
  best: "Best match",
  nearest: "Nearest first",
  rating: "Best rated first",
  reply: "Fastest reply first",
});
export type Sort = (typeof SORTS)[number];
/** "Show more" adds a page of RESULTS, up to this many pages. */
export const MAX_PAGES = 5;
