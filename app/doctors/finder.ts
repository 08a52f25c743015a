/** Finder settings shared by the page (browser) and the server. */
export const RADII = [10, 25, 50, 100, 250] as const;
/** Fewer results than this widen the radius to the next step. */
export const MIN_RESULTS = 5;
/** Results shown per search. */
export const RESULTS = 20;
