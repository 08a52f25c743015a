/**
 * Password reset by e-mail (docs/decisions/032). Asking for it answers the same, in the same
 * time, whether the address has an account or not, and is rate-limited per address and per
 * account. The e-mail
 * carries a single-use link with a random token; only its sha256 is stored, and it is valid
 * for 30 minutes. Setting the new password applies the strength rules of the account's role,
 * spends every open link of the account and ends all its sessions. Each step is audited.
 */
import crypto from "node:crypto";
import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import { getDb } from "#db/client";
import { passwordResets, sessions, users } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { getEnv } from "~/env.server";
import { invalid, rateLimited } from "~/errors/domain-error";
import { currentRequest, logError } from "~/http/request-context.server";
import { sendMail } from "~/notifications/mail.server";
import { hit } from "~/security/rate-limit.server";
import { findUserByEmail } from "./accounts.server";
import { hashPassword } from "./password.server";
import { passwordWeakness } from "./password-strength.server";

export const RESET_VALID_MINUTES = 30;
/** E-mails per account per rate-limit window; more requests get the same answer and no mail. */
export const RESETS_PER_ACCOUNT = 3;

export const RESET_REQUESTED =
  "If an account uses this address, we have sent it a link to choose a new password. It works once, for 30 minutes.";
export const RESET_LINK_INVALID =
  "This link has expired or has already been used. Ask for a new one below.";
export const TOO_MANY_RESETS = "Too many requests. Please wait a few minutes and try again.";

const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

export const resetLink = (token: string) =>
  new URL(`/reset-password?${new URLSearchParams({ token })}`, getEnv().APP_URL).toString();

function resetMail(to: string, token: string) {
  return {
    to,
    subject: "HemaLink: choose a new password",
    text: [
      "Someone (we hope you) asked to reset the password of your HemaLink account.",
      "",
      `Choose a new password here (the link works once, for ${RESET_VALID_MINUTES} minutes):`,
      resetLink(token),
      "",
      "If you did not ask for this, ignore this e-mail: your password stays as it is.",
      "",
    ].join("\n"),
  };
}

/**
 * Ask for a reset link for `email`. The caller shows RESET_REQUESTED whatever happened: an
 * unknown address, an account over its e-mail allowance and a sent link look the same, and take
 * the same time, because everything that depends on the account happens after the answer
 * (`issueResetLink`). Only the per-address limit is decided on the request's path.
 */
export async function requestPasswordReset(email: string, now = new Date()): Promise<void> {
  const ip = currentRequest()?.ip ?? "unknown";
  const byIp = await hit(
    "password-reset:ip",
    ip,
    getEnv().RATE_LIMIT_PASSWORD_RESET_PER_IP,
    now.getTime(),
  );
  if (!byIp.allowed) throw rateLimited(TOO_MANY_RESETS, byIp.retryAfterSeconds);
  // Not an effect of a commit (nothing is written yet): deferred so that an existing account
  // costs the answer nothing more than an unknown one (5.0 vs 3.4 ms when it was inline).
  setImmediate(() => {
    issueResetLink(email, now).catch((error: unknown) =>
      logError("issuing a password-reset link failed", error),
    );
  });
}

/** The account's side of a request: a link and its e-mail, within the account's allowance. */
export async function issueResetLink(email: string, now = new Date()): Promise<void> {
  const user = await findUserByEmail(email);
  if (!user) {
    await audit({ actorId: null, action: "password-reset.request", outcome: "failure" });
    return;
  }
  const byAccount = await hit("password-reset:account", user.id, RESETS_PER_ACCOUNT, now.getTime());
  if (!byAccount.allowed) {
    await audit({ actorId: user.id, action: "password-reset.request", outcome: "denied" });
    return;
  }
  const token = crypto.randomBytes(32).toString("base64url");
  await inTransaction(async (uow) => {
    await uow.tx.insert(passwordResets).values({
      id: hashToken(token),
      userId: user.id,
      createdAt: now,
      expiresAt: new Date(now.getTime() + RESET_VALID_MINUTES * 60_000),
    });
    await audit({ actorId: user.id, action: "password-reset.request", outcome: "success" }, uow.tx);
    uow.afterCommit(() => sendMail(resetMail(user.email, token)));
  });
}

/** The open link for `token`, if it is one (read only: the page's loader shows the form or not). */
export async function findOpenReset(token: string, now = new Date()) {
  if (!token) return undefined;
  return (
    await getDb()
      .select({ id: passwordResets.id, userId: passwordResets.userId })
      .from(passwordResets)
      .where(
        and(
          eq(passwordResets.id, hashToken(token)),
          isNull(passwordResets.usedAt),
          gt(passwordResets.expiresAt, now),
        ),
      )
      .limit(1)
  )[0];
}

/**
 * Set a new password with a reset link: the link is spent (with every other open link of the
 * account) and every session of the account ends, in one transaction.
 */
export async function completePasswordReset(
  token: string,
  password: string,
  now = new Date(),
): Promise<void> {
  const reset = await findOpenReset(token, now);
  if (!reset) {
    await audit({ actorId: null, action: "password-reset.complete", outcome: "failure" });
    throw invalid(RESET_LINK_INVALID);
  }
  const user = (await getDb().select().from(users).where(eq(users.id, reset.userId)).limit(1))[0];
  if (!user) throw invalid(RESET_LINK_INVALID);
  const weakness = passwordWeakness(password, user.role, {
    email: user.email,
    name: user.displayName,
  });
  if (weakness) throw invalid(weakness, "password");
  const passwordHash = await hashPassword(password);
  await inTransaction(async ({ tx }) => {
    // Spent here, conditionally: of two submissions of one link, one wins.
    const spent = await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.id, reset.id), isNull(passwordResets.usedAt)))
      .returning({ id: passwordResets.id });
    if (spent.length !== 1) throw invalid(RESET_LINK_INVALID);
    await tx
      .update(passwordResets)
      .set({ usedAt: now })
      .where(and(eq(passwordResets.userId, user.id), isNull(passwordResets.usedAt)));
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    const ended = (
      await tx.delete(sessions).where(eq(sessions.userId, user.id)).returning({ id: sessions.id })
    ).length;
    await audit(
      {
        actorId: user.id,
        action: "password-reset.complete",
        outcome: "success",
        detail: `${ended} session(s) ended`,
      },
      tx,
    );
  });
}

/** Housekeeping: links that expired or were used more than a day ago. */
export async function purgeExpiredResets(now = new Date()): Promise<number> {
  const dayAgo = new Date(now.getTime() - 24 * 3600_000);
  return (
    await inTransaction(({ tx }) =>
      tx
        .delete(passwordResets)
        .where(or(lt(passwordResets.expiresAt, now), lt(passwordResets.usedAt, dayAgo)))
        .returning(),
    )
  ).length;
}
