/**
 * Login throttling that counts failures only and cannot lock the rightful user out
 * (docs/decisions/030):
 * - per account (the e-mail as typed, registered or not, so the answers do not differ):
 *   a few free failures, then a back-off that doubles with each further failure, capped;
 * - per known device (the signed cookie of a browser that logged in before): the same rule on
 *   its own counter, instead of the account's, so a correct password from it still gets in;
 * - per address: a generous number of failures per window (a clinic shares one address).
 * An attempt is counted as a failure before the password is checked and forgiven when it
 * succeeds: parallel guesses are counted, successful logins never are.
 */
import { eq, and, lt } from "drizzle-orm";
import { loginThrottle } from "#db/schema";
import { inTransaction, type Tx } from "~/data/unit-of-work.server";
import { getEnv } from "~/env.server";
import { rateLimited } from "~/errors/domain-error";
import { currentRequest } from "~/http/request-context.server";
import { hit, release } from "~/security/rate-limit.server";

/** The first delay once the free failures are spent; each further failure doubles it. */
export const BACKOFF_BASE_SECONDS = 15;
/** A counter with no failure for this long starts again from zero. */
const MEMORY_MS = 24 * 3600_000;
const IP_BUCKET = "login-failures:ip";

const accountKey = (email: string) => `account:${email}`;
const deviceKey = (id: string) => `device:${id}`;
const codeKey = (userId: string) => `second-factor:${userId}`;

/** Seconds to wait after the `failures`-th consecutive failure. */
export function backoffSeconds(failures: number): number {
  const { LOGIN_FAILURES_BEFORE_BACKOFF: free, LOGIN_BACKOFF_MAX_SECONDS: max } = getEnv();
  if (failures < free) return 0;
  return Math.min(max, BACKOFF_BASE_SECONDS * 2 ** (failures - free));
}

function wordsFor(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

export const tooManyFailures = (seconds: number) =>
  `Too many attempts. Please wait ${wordsFor(seconds)} and try again.`;

/**
 * The key's row, created empty when missing, locked until the unit of work ends: on Postgres
 * (decision 058) units run side by side, and two parallel guesses must not both read the old
 * count (the upsert's row lock orders them); SQLite's single writer already does.
 */
async function lockedRow(tx: Tx, key: string) {
  await tx
    .insert(loginThrottle)
    .values({ key, failures: 0, lastFailureAt: 0, blockedUntil: 0 })
    .onConflictDoUpdate({ target: loginThrottle.key, set: { key } });
  return (await tx.select().from(loginThrottle).where(eq(loginThrottle.key, key)).limit(1))[0];
}

async function countFailure(tx: Tx, key: string, now: number) {
  const row = await lockedRow(tx, key);
  const failures = row && now - row.lastFailureAt < MEMORY_MS ? row.failures + 1 : 1;
  const values = {
    failures,
    lastFailureAt: now,
    blockedUntil: now + backoffSeconds(failures) * 1000,
  };
  await tx
    .insert(loginThrottle)
    .values({ key, ...values })
    .onConflictDoUpdate({ target: loginThrottle.key, set: values });
}

/** Count an attempt on `key` unless it is backing off; then the seconds left to wait. */
async function claim(key: string, now: number): Promise<number | null> {
  return await inTransaction(async ({ tx }) => {
    const row = await lockedRow(tx, key);
    if (row && row.blockedUntil > now) return Math.ceil((row.blockedUntil - now) / 1000);
    await countFailure(tx, key, now);
    return null;
  });
}

export type Admission = {
  /** Counted in advance; forgiven on success. */
  claimed: string;
  /** Also counted when the password is wrong, but not checked before (the account, from a known device). */
  alsoFails?: string;
  /** The address's window that counted this attempt, if any. */
  ip?: string;
  now: number;
};

/** A refusal the pipeline answers with 429 and Retry-After; `reason` goes to the audit row. */
export class LoginRefused extends Error {
  constructor(
    readonly reason: string,
    readonly retryAfterSeconds: number,
  ) {
    super(reason);
  }
}

/**
 * May this login attempt be checked at all? Throws LoginRefused when a counter is backing
 * off; otherwise the attempt is counted and the caller reports how it ended.
 */
export async function admitLogin(
  email: string,
  knownDeviceId: string | null,
  now = Date.now(),
): Promise<Admission> {
  if (knownDeviceId) {
    const key = deviceKey(knownDeviceId);
    const wait = await claim(key, now);
    if (wait !== null) throw new LoginRefused("device back-off", wait);
    return { claimed: key, alsoFails: accountKey(email), now };
  }
  const ip = currentRequest()?.ip ?? "unknown";
  const byIp = await hit(IP_BUCKET, ip, getEnv().RATE_LIMIT_LOGIN_FAILURES_PER_IP, now);
  if (!byIp.allowed) {
    await release(IP_BUCKET, ip, now);
    throw new LoginRefused("address limit", byIp.retryAfterSeconds);
  }
  const key = accountKey(email);
  const wait = await claim(key, now);
  if (wait !== null) {
    await release(IP_BUCKET, ip, now);
    throw new LoginRefused("account back-off", wait);
  }
  return { claimed: key, ip, now };
}

/**
 * May this second-factor code (or recovery code) be checked? The account's codes have a
 * counter of their own with the same rule: a few free mistakes, then a doubling back-off. It is
 * per account, not per login attempt, so logging in again with the password starts no new
 * count. Report the outcome with `loginSucceeded` (a wrong code stays counted).
 */
export async function admitCodeAttempt(userId: string, now = Date.now()): Promise<Admission> {
  const key = codeKey(userId);
  const wait = await claim(key, now);
  if (wait !== null) throw new LoginRefused("second-factor back-off", wait);
  return { claimed: key, now };
}

/** The password was right: forget the counted attempt and the account's failures. */
export async function loginSucceeded(admission: Admission): Promise<void> {
  const keys = [admission.claimed, admission.alsoFails].filter((k): k is string => Boolean(k));
  await inTransaction(async ({ tx }) => {
    for (const key of keys) await tx.delete(loginThrottle).where(eq(loginThrottle.key, key));
  });
  if (admission.ip) await release(IP_BUCKET, admission.ip, admission.now);
}

/** The password was wrong: the attempt stays counted; from a known device, the account's too. */
export async function loginFailed(admission: Admission): Promise<void> {
  const { alsoFails, now } = admission;
  if (alsoFails) await inTransaction(({ tx }) => countFailure(tx, alsoFails, now));
}

/** The 429 for a refused attempt. */
export const refusal = (refused: LoginRefused) =>
  rateLimited(tooManyFailures(refused.retryAfterSeconds), refused.retryAfterSeconds);

/** Housekeeping: counters that are neither blocking nor remembered any more. */
export async function purgeLoginThrottle(now = Date.now()): Promise<number> {
  return (
    await inTransaction(({ tx }) =>
      tx
        .delete(loginThrottle)
        .where(
          and(
            lt(loginThrottle.lastFailureAt, now - MEMORY_MS),
            lt(loginThrottle.blockedUntil, now),
          ),
        )
        .returning(),
    )
  ).length;
}
