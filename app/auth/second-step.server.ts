/**
 * The second step of a login (docs/decisions/031): after the password, a code from the
 * authenticator app or a recovery code; or, for an account that must have a second factor and
 * has none yet, setting one up. Each step reads the challenge cookie the password step left,
 * and ends with the session the password step would otherwise have started.
 */
import { redirect } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { users } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { invalid } from "~/errors/domain-error";
import { setActor } from "~/http/request-context.server";
import { homeFor, safeRedirect } from "./guards.server";
import { readKnownDevice } from "./known-device.server";
import {
  clearChallenge,
  readChallenge,
  type ChallengeStage,
  type LoginChallenge,
} from "./login-challenge.server";
import { startSession } from "./login.server";
import {
  checkTotp,
  confirmEnrolment,
  pendingEnrolment,
  spendRecoveryCode,
  WRONG_CODE,
  WRONG_RECOVERY_CODE,
} from "./second-factor.server";
import type { SessionUser } from "./session.server";

export const CHALLENGE_EXPIRED = "Your login has expired. Please enter your password again.";

type Pending = { user: SessionUser; challenge: LoginChallenge };

/** The login waiting for `stage` in this browser, or back to the login page. */
export async function requirePendingLogin(
  request: Request,
  stage: ChallengeStage,
): Promise<Pending> {
  const challenge = await readChallenge(request, stage);
  const user =
    challenge &&
    (
      await getDb()
        .select({
          id: users.id,
          email: users.email,
          role: users.role,
          displayName: users.displayName,
        })
        .from(users)
        .where(eq(users.id, challenge.userId))
        .limit(1)
    )[0];
  if (!challenge || !user) {
    throw redirect("/login", { headers: { "Set-Cookie": await clearChallenge() } });
  }
  // Not signed in yet, but the page (a secret, recovery codes) is this user's alone: no cache.
  setActor(user);
  return { user, challenge };
}

/** The session, the known device, the challenge cleared, and where the user was going. */
async function finish(request: Request, { user, challenge }: Pending, how: string) {
  await audit({ actorId: user.id, action: "login", outcome: "success", detail: how });
  const signedIn = await startSession(user, await readKnownDevice(request.headers.get("cookie")));
  const headers = new Headers();
  headers.append("Set-Cookie", signedIn.setCookie);
  headers.append("Set-Cookie", signedIn.deviceCookie);
  headers.append("Set-Cookie", await clearChallenge());
  return { headers, to: safeRedirect(challenge.redirectTo, homeFor(user)) };
}

/** A code from the authenticator app. */
export async function logInWithCode(request: Request, code: string) {
  const pending = await requirePendingLogin(request, "code");
  if (!(await checkTotp(pending.user.id, code))) {
    await audit({ actorId: pending.user.id, action: "login.second-factor", outcome: "failure" });
    throw invalid(WRONG_CODE, "code", 401);
  }
  const { headers, to } = await finish(request, pending, "authenticator");
  return redirect(to, { headers });
}

/** A recovery code instead of the app; it is spent. */
export async function logInWithRecoveryCode(request: Request, code: string) {
  const pending = await requirePendingLogin(request, "code");
  if (!(await spendRecoveryCode(pending.user.id, code))) {
    await audit({ actorId: pending.user.id, action: "login.recovery-code", outcome: "failure" });
    throw invalid(WRONG_RECOVERY_CODE, "recoveryCode", 401);
  }
  const { headers, to } = await finish(request, pending, "recovery code");
  return redirect(to, { headers });
}

/**
 * What the set-up page shows at login: the QR code and the secret; null once it has been
 * confirmed (the page then shows the recovery codes the confirmation returned) or purged.
 */
export async function enrolmentAtLogin(request: Request) {
  const { user } = await requirePendingLogin(request, "enrol");
  return await pendingEnrolment(user);
}

/**
 * The set-up confirmed with a code: the session starts, and the page shows the recovery codes
 * once, with a link onwards.
 */
export async function confirmEnrolmentAtLogin(request: Request, code: string) {
  const pending = await requirePendingLogin(request, "enrol");
  const recoveryCodes = await confirmEnrolment(pending.user, code);
  const { headers, to } = await finish(request, pending, "authenticator set up");
  return { recoveryCodes, next: to, headers };
}
