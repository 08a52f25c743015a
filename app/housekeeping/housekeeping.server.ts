/**
 * The app's scheduled work, in one job: close answered consultations that are due, remove
 * expired sessions, password-reset links and pending second-factor set-ups, rate-limit windows
 * that have passed and forgotten login failures, and the files of uploads a crash interrupted.
 * Each step is idempotent, so any number of instances may run it. The production server
 * (`server.js`) runs it on a timer; a platform without a long-lived process (cron, an Architect
 * `@scheduled` function) runs `scripts/housekeeping.ts` instead (docs/decisions/033). Requests
 * never start it: a GET writes nothing of it.
 */
import { purgeLoginThrottle } from "~/auth/login-throttle.server";
import { purgeExpiredResets } from "~/auth/password-reset.server";
import { purgeAbandonedEnrolments } from "~/auth/second-factor.server";
import { purgeExpiredSessions } from "~/auth/session.server";
import { autoCloseAnswered } from "~/consultations/scheduling.server";
import { getEnv } from "~/env.server";
import { logError } from "~/http/request-context.server";
import { purgeExpiredRateLimits } from "~/security/rate-limit.server";
import { sweepAbandonedUploads, type SweepReport } from "~/uploads/recovery.server";

export type HousekeepingReport = {
  closed: number;
  sessions: number;
  passwordResets: number;
  enrolments: number;
  rateLimits: number;
  loginThrottle: number;
  /** Interrupted uploads cleaned up, idempotency keys forgotten (docs/decisions/034). */
  uploads: SweepReport;
};

export async function runHousekeeping(now = new Date()): Promise<HousekeepingReport> {
  return {
    closed: await autoCloseAnswered(getEnv().CONSULTATION_AUTO_CLOSE_DAYS, now),
    sessions: await purgeExpiredSessions(now),
    passwordResets: await purgeExpiredResets(now),
    enrolments: await purgeAbandonedEnrolments(now),
    rateLimits: await purgeExpiredRateLimits(now.getTime()),
    loginThrottle: await purgeLoginThrottle(now.getTime()),
    uploads: await sweepAbandonedUploads(now),
  };
}

/**
 * For a long-lived server: run the housekeeping every `HOUSEKEEPING_INTERVAL_SECONDS` (0: never,
 * when a platform scheduler runs the script). The timer is unref'd, so it never keeps the
 * process alive, and a failed run is logged and tried again at the next tick. Returns a stop
 * function.
 */
export function startHousekeeping(
  seconds = getEnv().HOUSEKEEPING_INTERVAL_SECONDS,
  run: () => unknown = runHousekeeping,
): () => void {
  if (seconds === 0) return () => {};
  const timer = setInterval(() => {
    try {
      run();
    } catch (error) {
      logError("the scheduled housekeeping failed", error);
    }
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
