/**
 * The app's scheduled work, in one job: close answered consultations that are due, remove
 * expired sessions, rate-limit windows that have passed and forgotten login failures, and
 * the files of uploads a crash interrupted. Each step is idempotent, so
 * any number of instances may run it. A platform scheduler (cron, an Architect
 * `@scheduled` function) runs `scripts/housekeeping.ts`; without one, the consultation
 * pages start it at most once a minute per instance (`housekeepingDue`).
 */
import { purgeLoginThrottle } from "~/auth/login-throttle.server";
import { purgeExpiredSessions } from "~/auth/session.server";
import { autoCloseAnswered } from "~/consultations/scheduling.server";
import { getEnv } from "~/env.server";
import { purgeExpiredRateLimits } from "~/security/rate-limit.server";
import { sweepAbandonedUploads, type SweepReport } from "~/uploads/recovery.server";

export type HousekeepingReport = {
  closed: number;
  sessions: number;
  rateLimits: number;
  loginThrottle: number;
  /** Interrupted uploads cleaned up, idempotency keys forgotten (docs/decisions/034). */
  uploads: SweepReport;
};

export function runHousekeeping(now = new Date()): HousekeepingReport {
  return {
    closed: autoCloseAnswered(getEnv().CONSULTATION_AUTO_CLOSE_DAYS, now),
    sessions: purgeExpiredSessions(now),
    rateLimits: purgeExpiredRateLimits(now.getTime()),
    loginThrottle: purgeLoginThrottle(now.getTime()),
    uploads: sweepAbandonedUploads(now),
  };
}

const EVERY_MS = 60_000;
let lastRun = 0;

/** Run the housekeeping if this instance has not in the last minute. */
export function housekeepingDue(now = Date.now()): void {
  if (now - lastRun < EVERY_MS) return;
  lastRun = now;
  runHousekeeping(new Date(now));
}
