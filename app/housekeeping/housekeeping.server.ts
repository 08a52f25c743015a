/**
 * The app's scheduled work, as four jobs: close answered consultations that are due; purge
 * expired sessions, password-reset links and pending second-factor set-ups; purge rate-limit
 * windows that have passed and forgotten login failures; sweep what interrupted uploads left.
 * Each job is idempotent, so any number of instances may run it at once. The long-lived server
 * (`server.js`) runs all four on one timer (`startHousekeeping`, docs/decisions/033); a platform
 * without a long-lived process runs each as its own scheduled function (`server/scheduled.ts`,
 * Architect's `@scheduled`, docs/decisions/064) or all of them from `scripts/housekeeping.ts`
 * (cron). Both call the same functions below. Requests never start them: a GET writes nothing.
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

/** Answered consultations past `CONSULTATION_AUTO_CLOSE_DAYS` closed (patients notified). */
export async function closeDueConsultations(now = new Date()) {
  return { closed: await autoCloseAnswered(getEnv().CONSULTATION_AUTO_CLOSE_DAYS, now) };
}

/** Expired sessions, password-reset links and never-confirmed second-factor set-ups removed. */
export async function purgeSessions(now = new Date()) {
  return {
    sessions: await purgeExpiredSessions(now),
    passwordResets: await purgeExpiredResets(now),
    enrolments: await purgeAbandonedEnrolments(now),
  };
}

/** Rate-limit windows that have passed and login failures old enough to forget removed. */
export async function purgeRateLimits(now = new Date()) {
  return {
    rateLimits: await purgeExpiredRateLimits(now.getTime()),
    loginThrottle: await purgeLoginThrottle(now.getTime()),
  };
}

/** Interrupted uploads cleaned up, idempotency keys forgotten (docs/decisions/034). */
export async function sweepOrphans(now = new Date()): Promise<{ uploads: SweepReport }> {
  return { uploads: await sweepAbandonedUploads(now) };
}

/** The jobs by the name their scheduled function has in `app.arc`. */
export const HOUSEKEEPING_JOBS = {
  "consultation-auto-close": closeDueConsultations,
  "session-purge": purgeSessions,
  "rate-limit-purge": purgeRateLimits,
  "orphan-sweep": sweepOrphans,
} as const;

export type HousekeepingJob = keyof typeof HOUSEKEEPING_JOBS;

export const isHousekeepingJob = (name: string): name is HousekeepingJob =>
  Object.hasOwn(HOUSEKEEPING_JOBS, name);

export type HousekeepingReport = Awaited<ReturnType<typeof closeDueConsultations>> &
  Awaited<ReturnType<typeof purgeSessions>> &
  Awaited<ReturnType<typeof purgeRateLimits>> &
  Awaited<ReturnType<typeof sweepOrphans>>;

/** Every job, one after the other: the long-lived server's timer and the cron script. */
export async function runHousekeeping(now = new Date()): Promise<HousekeepingReport> {
  return {
    ...(await closeDueConsultations(now)),
    ...(await purgeSessions(now)),
    ...(await purgeRateLimits(now)),
    ...(await sweepOrphans(now)),
  };
}

/**
 * For a long-lived server: run the housekeeping every `HOUSEKEEPING_INTERVAL_SECONDS` (0: never,
 * when a platform scheduler runs the jobs). The timer is unref'd, so it never keeps the process
 * alive, and a failed run is logged and tried again at the next tick. Returns a stop function.
 */
export function startHousekeeping(
  seconds = getEnv().HOUSEKEEPING_INTERVAL_SECONDS,
  run: () => unknown = runHousekeeping,
): () => void {
  if (seconds === 0) return () => {};
  const timer = setInterval(() => {
    try {
      const result = run();
      if (result instanceof Promise) {
        result.catch((error: unknown) => logError("the scheduled housekeeping failed", error));
      }
    } catch (error) {
      logError("the scheduled housekeeping failed", error);
    }
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
