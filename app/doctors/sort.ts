/**
 * The orders of the finder's list. The ranking picks who is shown (./search.server.ts); an
 * order only rearranges them. Every order ends on the ranking's own order, so ties are
 * deterministic and the list is the same whichever search (indexed or full scan) found it.
 */
import type { Sort } from "./finder";
import { shownReplyMs, type ReplyStats } from "./reply-time";

type Sortable = ReplyStats & { distanceKm: number; bayesian: number };

/** Doctors without a shown reply time (fewer than 3 answered cases) sort after all others. */
const replyKey = (d: Sortable) => shownReplyMs(d) ?? Infinity;

const COMPARE: Record<Exclude<Sort, "best">, (a: Sortable, b: Sortable) => number> = {
  nearest: (a, b) => a.distanceKm - b.distanceKm,
  rating: (a, b) => b.bayesian - a.bayesian || a.distanceKm - b.distanceKm,
  reply: (a, b) => {
    const [x, y] = [replyKey(a), replyKey(b)];
    return x === y ? a.distanceKm - b.distanceKm : x < y ? -1 : 1;
  },
};

/** The hits in the chosen order (a new array; best match keeps the ranking's order). */
export function sortHits<T extends Sortable>(hits: T[], sort: Sort): T[] {
  if (sort === "best") return [...hits];
  const compare = COMPARE[sort];
  // Array.prototype.sort is stable: equal keys keep the ranking's order.
  return [...hits].sort(compare);
}
