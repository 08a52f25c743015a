/** Finder settings shared by the page (browser) and the server. */
export const RADII = [10, 25, 50, 100, 250] as const;
/** Fewer results than this widen the radius to the next step. */
export const MIN_RESULTS = 5;
/** Results shown per search. */
export const RESULTS = 20;
/** Orders of the result list: the ranking, nearest first, best rated first, fastest reply first. */
export const SORTS = ["best", "nearest", "rating", "reply"] as const;
export type Sort = (typeof SORTS)[number];
export const SORT_LABELS: Record<Sort, string> = {
  best: "Best match",
  nearest: "Nearest first",
  rating: "Best rated first",
  reply: "Fastest reply first",
};
/** "Show more" adds a page of RESULTS, up to this many pages. */
export const MAX_PAGES = 5;
