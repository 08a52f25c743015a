/**
 * The second factor: a TOTP authenticator app (RFC 6238: 6 digits, 30-second steps, SHA-1, the
 * parameters every authenticator app supports) and one-time recovery codes. Required for the
 * accounts that see patient data (admins, verified doctors), optional for patients
 * (docs/decisions/031). Codes are checked through the login throttle's per-account counter;
 * a TOTP code is accepted once (the step it belongs to is remembered).
 */
import crypto from "node:crypto";
import { generateTOTP, getTOTPAuthUri, verifyTOTP } from "@epic-web/totp";
import base32Encode from "base32-encode";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import QRCode from "qrcode";
import { getDb } from "#db/client";
import { doctorProfiles, recoveryCodes, secondFactors } from "#db/schema";
import { audit, auditSuccess } from "~/audit/audit.server";
import { inTransaction, type Executor, type Tx } from "~/data/unit-of-work.server";
import { conflict, invalid } from "~/errors/domain-error";
import { isCertified } from "~/doctors/vocabulary";
import { mustUseSecondFactor, type Actor } from "./permissions";
import { admitCodeAttempt, LoginRefused, loginSucceeded, refusal } from "./login-throttle.server";

export const TOTP_ISSUER = "HemaLink";
const TOTP = { algorithm: "SHA-1", digits: 6, period: 30, charSet: "0123456789" } as const;
/** One step either side: a phone clock a little off still works. */
const WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** An unconfirmed set-up is forgotten after a day (housekeeping). */
const ENROLMENT_TTL_MS = 24 * 3600_000;

export const WRONG_CODE = "That code is not right. Check the time on your phone and try again.";
export const WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used.";

type Account = Actor & { email: string };

/** 160 random bits, base32 (RFC 4226 recommends 160; the library's default is 80). */
export const newSecret = () => base32Encode(crypto.randomBytes(20), "RFC4648", { padding: false });

/** Whether this user must use a second factor (the rule: `mustUseSecondFactor`). */
export function secondFactorRequired(actor: Actor, db: Executor = getDb()): Promise<boolean> {
  return mustUseSecondFactor(actor, async () => {
    const profile = (
      await db
        .select({ status: doctorProfiles.status })
        .from(doctorProfiles)
        .where(eq(doctorProfiles.userId, actor.id))
        .limit(1)
    )[0];
    return Boolean(profile && isCertified(profile.status));
  });
}

const factorOf = async (userId: string, db: Executor = getDb()) =>
  (await db.select().from(secondFactors).where(eq(secondFactors.userId, userId)).limit(1))[0];

export type SecondFactorState = {
  enabled: boolean;
  required: boolean;
  recoveryCodesLeft: number;
};

export async function secondFactorState(actor: Actor): Promise<SecondFactorState> {
  const factor = await factorOf(actor.id);
  const left = (
    await getDb()
      .select({ id: recoveryCodes.id })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, actor.id), isNull(recoveryCodes.usedAt)))
  ).length;
  return {
    enabled: Boolean(factor?.confirmedAt),
    required: await secondFactorRequired(actor),
    recoveryCodesLeft: left,
  };
}

/** Has this account a confirmed authenticator? */
export const hasSecondFactor = async (userId: string) =>
  Boolean((await factorOf(userId))?.confirmedAt);

/**
 * Start (or restart) setting up an authenticator: a new secret, unconfirmed until a code from
 * it is entered. A confirmed factor is not replaced this way.
 */
export async function beginEnrolment(actor: Actor): Promise<void> {
  const existing = await factorOf(actor.id);
  if (existing?.confirmedAt) throw conflict("Two-step login is already on for this account.");
  const values = { secret: newSecret(), createdAt: new Date(), confirmedAt: null, lastStep: null };
  await inTransaction(({ tx }) =>
    tx
      .insert(secondFactors)
      .values({ userId: actor.id, ...values })
      .onConflictDoUpdate({ target: secondFactors.userId, set: values }),
  );
}

export type Enrolment = { secret: string; uri: string; qrSvg: string };

/** What the set-up page shows: the QR code (SVG, made here, offline) and the secret as text. */
export async function pendingEnrolment(actor: Account): Promise<Enrolment | null> {
  const factor = await factorOf(actor.id);
  if (!factor || factor.confirmedAt) return null;
  const uri = getTOTPAuthUri({
    ...TOTP,
    secret: factor.secret,
    accountName: actor.email,
    issuer: TOTP_ISSUER,
  });
  const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 2, errorCorrectionLevel: "M" });
  return { secret: factor.secret, uri, qrSvg };
}

/** The current code for a secret (the demo accounts' helper and the tests). */
export async function currentCode(secret: string): Promise<string> {
  return (await generateTOTP({ ...TOTP, secret })).otp;
}

const normaliseCode = (code: string) => code.replace(/[\s-]/g, "");

/** The time step a code belongs to, if it is valid now (one step of tolerance either side). */
async function stepOf(secret: string, code: string): Promise<number | null> {
  const otp = normaliseCode(code);
  if (!/^\d{6}$/.test(otp)) return null;
  // The library counts steps from the clock (`new Date()`), as here.
  const current = Math.floor(Date.now() / 1000 / TOTP.period);
  const result = await verifyTOTP({ ...TOTP, otp, secret, window: WINDOW });
  return result ? current + result.delta : null;
}

/** Run a code check through the account's code throttle; a refusal becomes the 429. */
async function throttled<T>(userId: string, check: () => Promise<T | null>, now: number) {
  let admission;
  try {
    admission = await admitCodeAttempt(userId, now);
  } catch (error) {
    if (!(error instanceof LoginRefused)) throw error;
    await audit({ actorId: userId, action: "second-factor.check", outcome: "denied" });
    throw refusal(error);
  }
  const result = await check();
  if (result !== null) await loginSucceeded(admission);
  return result;
}

/**
 * Accept an authenticator code for this account, once: the step is recorded by the statement
 * that checks no later or equal step was accepted before, so a code cannot be used twice.
 */
async function acceptTotp(userId: string, secret: string, code: string) {
  const step = await stepOf(secret, code);
  if (step === null) return null;
  const { length: changes } = await inTransaction(({ tx }) =>
    tx
      .update(secondFactors)
      .set({ lastStep: step })
      .where(
        and(
          eq(secondFactors.userId, userId),
          or(isNull(secondFactors.lastStep), lt(secondFactors.lastStep, step)),
        ),
      )
      .returning({ userId: secondFactors.userId }),
  );
  return changes === 1 ? step : null;
}

/** Confirm the set-up with a code from the app; returns the recovery codes, shown once. */
export async function confirmEnrolment(
  actor: Actor,
  code: string,
  now = Date.now(),
): Promise<string[]> {
  const factor = await factorOf(actor.id);
  if (!factor) throw conflict("Start setting up two-step login first.");
  if (factor.confirmedAt) throw conflict("Two-step login is already on for this account.");
  const step = await throttled(actor.id, () => acceptTotp(actor.id, factor.secret, code), now);
  if (step === null) {
    await audit({ actorId: actor.id, action: "second-factor.enrol", outcome: "failure" });
    throw invalid(WRONG_CODE, "code");
  }
  return await inTransaction(async ({ tx }) => {
    await tx
      .update(secondFactors)
      .set({ confirmedAt: new Date(now) })
      .where(eq(secondFactors.userId, actor.id));
    await auditSuccess(actor, "second-factor.enrol", {}, tx);
    return await replaceRecoveryCodes(actor.id, tx);
  });
}

/** A code from the app at login, or when changing the second factor. */
export async function checkTotp(userId: string, code: string, now = Date.now()): Promise<boolean> {
  const factor = await factorOf(userId);
  if (!factor?.confirmedAt) return false;
  const step = await throttled(userId, () => acceptTotp(userId, factor.secret, code), now);
  return step !== null;
}

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
const hashCode = (code: string) =>
  crypto.createHash("sha256").update(normaliseCode(code).toLowerCase()).digest("hex");

/** `k7m2-q9xe`: 8 characters of an unambiguous alphabet (~39 bits), easy to type. */
function newRecoveryCode(): string {
  const chars = Array.from(
    crypto.randomBytes(8),
    (byte) => RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length],
  );
  return `${chars.slice(0, 4).join("")}-${chars.slice(4).join("")}`;
}

async function replaceRecoveryCodes(userId: string, db: Executor): Promise<string[]> {
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db
    .insert(recoveryCodes)
    .values(codes.map((code) => ({ userId, codeHash: hashCode(code) })));
  return codes;
}

/** A recovery code instead of the app: accepted once, then spent. */
export async function spendRecoveryCode(
  userId: string,
  code: string,
  now = Date.now(),
): Promise<boolean> {
  const used = await throttled(
    userId,
    async () => {
      const { length: changes } = await inTransaction(({ tx }) =>
        tx
          .update(recoveryCodes)
          .set({ usedAt: new Date(now) })
          .where(
            and(
              eq(recoveryCodes.userId, userId),
              eq(recoveryCodes.codeHash, hashCode(code)),
              isNull(recoveryCodes.usedAt),
            ),
          )
          .returning({ id: recoveryCodes.id }),
      );
      return changes === 1 ? true : null;
    },
    now,
  );
  return used === true;
}

/** New recovery codes (the old ones stop working), after a code from the app. */
export async function regenerateRecoveryCodes(actor: Actor, code: string): Promise<string[]> {
  if (!(await checkTotp(actor.id, code))) throw invalid(WRONG_CODE, "code");
  return await inTransaction(async ({ tx }) => {
    await auditSuccess(actor, "second-factor.recovery-codes", {}, tx);
    return await replaceRecoveryCodes(actor.id, tx);
  });
}

/** Turn the second factor off (only where it is optional), after a code from the app. */
export async function disableSecondFactor(actor: Actor, code: string): Promise<void> {
  if (await secondFactorRequired(actor)) {
    throw conflict("Accounts that see patient data must keep two-step login on.");
  }
  if (!(await checkTotp(actor.id, code))) throw invalid(WRONG_CODE, "code");
  await inTransaction(async ({ tx }) => {
    await tx.delete(secondFactors).where(eq(secondFactors.userId, actor.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, actor.id));
    await auditSuccess(actor, "second-factor.disable", {}, tx);
  });
}

/** Housekeeping: set-ups started and never confirmed. */
export async function purgeAbandonedEnrolments(now = new Date()): Promise<number> {
  return (
    await inTransaction(({ tx }) =>
      tx
        .delete(secondFactors)
        .where(
          and(
            isNull(secondFactors.confirmedAt),
            lt(secondFactors.createdAt, new Date(now.getTime() - ENROLMENT_TTL_MS)),
          ),
        )
        .returning(),
    )
  ).length;
}

/** For seeding demo accounts: a confirmed factor with a known secret. */
export async function enrolWithSecret(userId: string, secret: string, tx?: Tx): Promise<void> {
  const row = { userId, secret, confirmedAt: new Date() };
  if (tx) await tx.insert(secondFactors).values(row);
  else await inTransaction((uow) => uow.tx.insert(secondFactors).values(row));
}
