/**
 * "Usually replies within a day": the words of a doctor's median reply time. Isomorphic
 * (the finder's cards, the public page, the sort). The figure is kept by
 * ./reply-time.server.ts; this decides when it is shown and how it reads (decision 048).
 */

/** Fewer answered consultations than this say too little: no figure is shown or sorted on. */
export const MIN_REPLIES_SHOWN = 3;

export type ReplyStats = { replyCount: number; medianReplyMs: number | null };

/** The median reply time patients see, or null while there are too few answered cases. */
export function shownReplyMs({ replyCount, medianReplyMs }: ReplyStats): number | null {
  return replyCount >= MIN_REPLIES_SHOWN && medianReplyMs !== null ? medianReplyMs : null;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The median rounded up to a step a patient can plan with: "2 hours", "a day", "3 days". */
export function replyWithin(ms: number): string {
  if (ms <= HOUR) return "an hour";
  if (ms < DAY) {
    const hours = Math.ceil(ms / HOUR);
    return hours >= 23 ? "a day" : `${hours} hours`;
  }
  const days = Math.ceil(ms / DAY);
  if (days === 1) return "a day";
  if (days < 14) return `${days} days`;
  return `${Math.ceil(days / 7)} weeks`;
}

/** "Usually replies within 2 hours", or null while there are too few answered cases. */
export function replyTimeLabel(stats: ReplyStats): string | null {
  const ms = shownReplyMs(stats);
  return ms === null ? null : `Usually replies within ${replyWithin(ms)}`;
}
