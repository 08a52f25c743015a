/**
 * Logging in, registering and logging out. The route pipeline has parsed and validated
 * the form once. Login verifies the credentials through remix-auth: `logIn` hands the
 * validated email and password to the authenticator's FormStrategy in a request of their
 * own (the browser's request body is never read twice; its cookies go along), and the
 * strategy's verify asks the login throttle (failures only: per account with back-off, per
 * known device, per address; login-throttle.server.ts), checks the password, audits, and
 * throws a DomainError on refusal, which the pipeline maps like any other. Unknown accounts
 * and wrong passwords get the same answer in the same time. remix-auth v4 returns what
 * verify returns; the database session and the known-device cookie are set here, unless the
 * account has (or must set up) a second factor: then the password step ends with a challenge
 * cookie and the session is started by the second step (second-step.server.ts).
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import type { z } from "zod";
import { audit } from "~/audit/audit.server";
import { getEnv } from "~/env.server";
import { invalid, rateLimited } from "~/errors/domain-error";
import { currentRequest } from "~/http/request-context.server";
import { handleAction, publicIntent } from "~/http/pipeline.server";
import { hit } from "~/security/rate-limit.server";
import { redirectSignedIn } from "./guards.server";
import { AccountError, createAccount, findUserByEmail, verifyLogin } from "./accounts.server";
import { readKnownDevice, rememberDevice, type KnownDevice } from "./known-device.server";
import { CHALLENGE_PATH, issueChallenge } from "./login-challenge.server";
import { passwordWeakness } from "./password-strength.server";
import { beginEnrolment, hasSecondFactor, secondFactorRequired } from "./second-factor.server";
import {
  admitLogin,
  LoginRefused,
  loginFailed,
  loginSucceeded,
  refusal,
} from "./login-throttle.server";
import { createUserSession, destroySession, type SessionUser } from "./session.server";
import type { LoginInput, RegisterInput } from "./validation";

export const LOGIN_FAILED = "Email or password is incorrect.";
export const TOO_MANY_ATTEMPTS = "Too many attempts. Please wait a few minutes and try again.";
export const REGISTRATION_FAILED =
  "We could not create an account with these details. If you already have one, log in instead.";

export type SignedIn = { user: SessionUser; setCookie: string; deviceCookie?: string };

const address = () => currentRequest()?.ip ?? "unknown";

/** This browser's known-device id, if it has logged in to this account before. */
async function knownDeviceFor(device: KnownDevice | null, email: string): Promise<string | null> {
  if (!device || device.users.length === 0) return null;
  const account = await findUserByEmail(email);
  return account && device.users.includes(account.id) ? device.id : null;
}

type Verified = { user: SessionUser; device: KnownDevice | null };

/** The throttle, the password check and the audit row of one login attempt. */
async function verifyCredentials(
  email: string,
  password: string,
  cookieHeader: string | null,
): Promise<Verified> {
  const device = await readKnownDevice(cookieHeader);
  let admission;
  try {
    admission = await admitLogin(email, await knownDeviceFor(device, email));
  } catch (error) {
    if (!(error instanceof LoginRefused)) throw error;
    await audit({ actorId: null, action: "login", outcome: "denied", detail: error.reason });
    throw refusal(error);
  }
  const user = await verifyLogin(email, password);
  if (!user) {
    await loginFailed(admission);
    await audit({ actorId: null, action: "login", outcome: "failure" });
    throw invalid(LOGIN_FAILED, undefined, 401);
  }
  await loginSucceeded(admission);
  return { user, device };
}

// A missing field reads as "" and fails like an unknown account (only `logIn` builds this form).
const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

const authenticator = new Authenticator<Verified>().use(
  new FormStrategy(({ form, request }) =>
    verifyCredentials(field(form, "email"), field(form, "password"), request.headers.get("cookie")),
  ),
);

/**
 * The credentials the pipeline validated (the email trimmed and lower-cased), posted to the
 * same URL as a form of their own: what FormStrategy reads instead of the browser's body.
 * The browser's cookies go along (the known-device cookie).
 */
function credentialsRequest(request: Request, { email, password }: LoginInput): Request {
  return new Request(request.url, {
    method: "POST",
    body: new URLSearchParams({ email, password }),
    headers: { cookie: request.headers.get("cookie") ?? "" },
  });
}

/** The password was right but a second step is due: the challenge cookie and where it is done. */
export type SecondStep = { challengeCookie: string; to: string };

export async function logIn(
  credentials: LoginInput,
  request: Request,
): Promise<SignedIn | SecondStep> {
  const { user, device } = await authenticator.authenticate(
    "form",
    credentialsRequest(request, credentials),
  );
  const stage = (await hasSecondFactor(user.id))
    ? "code"
    : (await secondFactorRequired(user))
      ? "enrol"
      : null;
  if (stage) {
    if (stage === "enrol") await beginEnrolment(user);
    await audit({ actorId: user.id, action: "login.password", outcome: "success", detail: stage });
    return {
      challengeCookie: await issueChallenge(user.id, stage, credentials.redirectTo),
      to: CHALLENGE_PATH[stage],
    };
  }
  await audit({ actorId: user.id, action: "login", outcome: "success" });
  return startSession(user, device);
}

/** The end of every login: a new session, and this browser remembered for the account. */
export async function startSession(user: SessionUser, device: KnownDevice | null) {
  return {
    user,
    setCookie: await createUserSession(user.id),
    deviceCookie: await rememberDevice(device, user.id),
  };
}

export async function register({
  name,
  email,
  password,
  isDoctor,
}: RegisterInput): Promise<SignedIn> {
  const limit = await hit("register:ip", address(), getEnv().RATE_LIMIT_REGISTER_PER_IP);
  if (!limit.allowed) throw rateLimited(TOO_MANY_ATTEMPTS, limit.retryAfterSeconds);
  const role = isDoctor ? "doctor" : "patient";
  // Judged before the e-mail is looked at: the answer says nothing about existing accounts.
  const weakness = passwordWeakness(password, role, { email, name });
  if (weakness) throw invalid(weakness, "password");
  try {
    const user = await createAccount({ name, email, password, role });
    await audit({ actorId: user.id, action: "register", outcome: "success", detail: user.role });
    return { user, setCookie: await createUserSession(user.id) };
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    await audit({ actorId: null, action: "register", outcome: "failure" });
    throw invalid(REGISTRATION_FAILED);
  }
}

/**
 * The action of the login and registration pages: the form parsed by `schema` (the password
 * never echoed back), then `signIn`, then the session cookie and the page the user wanted.
 */
export function signInAction<S extends z.ZodType<{ redirectTo?: string }>>(
  args: ActionFunctionArgs,
  schema: S,
  signIn: (value: z.output<S>, request: Request) => Promise<SignedIn | SecondStep>,
) {
  return handleAction(args, {
    who: "anyone",
    intents: {
      default: publicIntent(
        schema,
        async ({ value, request }) => {
          const outcome = await signIn(value, request);
          if ("challengeCookie" in outcome) {
            return redirect(outcome.to, { headers: { "Set-Cookie": outcome.challengeCookie } });
          }
          return redirectSignedIn(outcome, value.redirectTo);
        },
        { hideFields: ["password"] },
      ),
    },
  });
}

/** End the session (if any); returns the Set-Cookie header that clears the cookie. */
export async function logOut(request: Request, user: SessionUser | null): Promise<string> {
  const setCookie = await destroySession(request);
  if (user) await audit({ actorId: user.id, action: "logout", outcome: "success" });
  return setCookie;
}
