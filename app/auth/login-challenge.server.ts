/**
 * Between the password and the second factor: a signed, HttpOnly cookie that says whose
 * password was right, what is still to do (enter a code, or set up the authenticator an
 * account of this role must have) and where to go after. No session exists until the second
 * step is done, so no guard has to know about half-finished logins.
 */
import { signedCookie } from "./cookies.server";

export type ChallengeStage = "code" | "enrol";
export type LoginChallenge = {
  userId: string;
  stage: ChallengeStage;
  redirectTo?: string;
  expiresAt: number;
};

/** Time to open the authenticator app (or set it up) after the password. */
const CHALLENGE_MINUTES = 10;

export const CHALLENGE_PATH: Record<ChallengeStage, string> = {
  code: "/login/code",
  enrol: "/login/enrol",
};

const challengeCookie = () =>
  signedCookie("__hemalink_login", { maxAge: CHALLENGE_MINUTES * 60, path: "/login" });

const isChallenge = (value: unknown): value is LoginChallenge =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as LoginChallenge).userId === "string" &&
  ((value as LoginChallenge).stage === "code" || (value as LoginChallenge).stage === "enrol") &&
  typeof (value as LoginChallenge).expiresAt === "number";

export function issueChallenge(
  userId: string,
  stage: ChallengeStage,
  redirectTo: string | undefined,
  now = Date.now(),
): Promise<string> {
  const challenge: LoginChallenge = {
    userId,
    stage,
    redirectTo,
    expiresAt: now + CHALLENGE_MINUTES * 60_000,
  };
  return challengeCookie().serialize(challenge);
}

/** The pending login of this browser at `stage`, if its signature holds and it has not expired. */
export async function readChallenge(
  request: Request,
  stage: ChallengeStage,
  now = Date.now(),
): Promise<LoginChallenge | null> {
  const value: unknown = await challengeCookie().parse(request.headers.get("cookie"));
  if (!isChallenge(value) || value.stage !== stage || value.expiresAt <= now) return null;
  return value;
}

export const clearChallenge = () => challengeCookie().serialize("", { maxAge: 0 });
