/**
 * Logging in, registering and logging out. The route pipeline has parsed and validated
 * the form once. Login verifies the credentials through remix-auth: `logIn` hands the
 * validated email and password to the authenticator's FormStrategy in a request of their
 * own (the browser's request body is never read twice), and the strategy's verify counts
 * the rate limits (by the request's address from the request context, and by account),
 * checks the password, audits, and throws a DomainError on refusal, which the pipeline maps
 * like any other. Unknown accounts and wrong passwords get the same answer in the same time.
 * remix-auth v4 returns what verify returns; the database session is opened here.
 */
import type { ActionFunctionArgs } from "@remix-run/node";
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import type { z } from "zod";
import { audit } from "~/audit/audit.server";
import { getEnv } from "~/env.server";
import { invalid, rateLimited } from "~/errors/domain-error";
import { currentRequest } from "~/http/request-context.server";
import { handleAction, publicIntent } from "~/http/pipeline.server";
import { hit, reset } from "~/security/rate-limit.server";
import { redirectSignedIn } from "./guards.server";
import { AccountError, createAccount, verifyLogin } from "./accounts.server";
import { createUserSession, destroySession, type SessionUser } from "./session.server";
import type { LoginInput, RegisterInput } from "./validation";

export const LOGIN_FAILED = "Email or password is incorrect.";
export const TOO_MANY_ATTEMPTS = "Too many attempts. Please wait a few minutes and try again.";
export const REGISTRATION_FAILED =
  "We could not create an account with these details. If you already have one, log in instead.";

export type SignedIn = { user: SessionUser; setCookie: string };

const address = () => currentRequest()?.ip ?? "unknown";

/** The rate limits, the password check and the audit row of one login attempt. */
async function verifyCredentials(email: string, password: string): Promise<SessionUser> {
  const env = getEnv();
  const byIp = hit("login:ip", address(), env.RATE_LIMIT_LOGIN_PER_IP);
  const byAccount = hit("login:account", email, env.RATE_LIMIT_LOGIN_PER_ACCOUNT);
  if (!byIp.allowed || !byAccount.allowed) {
    audit({ actorId: null, action: "login", outcome: "denied", detail: "rate-limited" });
    const wait = Math.max(byIp.retryAfterSeconds, byAccount.retryAfterSeconds);
    throw rateLimited(TOO_MANY_ATTEMPTS, wait);
  }
  const user = await verifyLogin(email, password);
  if (!user) {
    audit({ actorId: null, action: "login", outcome: "failure" });
    throw invalid(LOGIN_FAILED, undefined, 401);
  }
  reset("login:account", email);
  audit({ actorId: user.id, action: "login", outcome: "success" });
  return user;
}

// A missing field reads as "" and fails like an unknown account (only `logIn` builds this form).
const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

const authenticator = new Authenticator<SessionUser>().use(
  new FormStrategy(({ form }) => verifyCredentials(field(form, "email"), field(form, "password"))),
);

/**
 * The credentials the pipeline validated (the email trimmed and lower-cased), posted to the
 * same URL as a form of their own: what FormStrategy reads instead of the browser's body.
 */
function credentialsRequest(url: string, { email, password }: LoginInput): Request {
  return new Request(url, { method: "POST", body: new URLSearchParams({ email, password }) });
}

export async function logIn(credentials: LoginInput, request: Request): Promise<SignedIn> {
  const user = await authenticator.authenticate(
    "form",
    credentialsRequest(request.url, credentials),
  );
  return { user, setCookie: await createUserSession(user.id) };
}

export async function register({
  name,
  email,
  password,
  isDoctor,
}: RegisterInput): Promise<SignedIn> {
  const limit = hit("register:ip", address(), getEnv().RATE_LIMIT_REGISTER_PER_IP);
  if (!limit.allowed) throw rateLimited(TOO_MANY_ATTEMPTS, limit.retryAfterSeconds);
  try {
    const user = await createAccount({
      name,
      email,
      password,
      role: isDoctor ? "doctor" : "patient",
    });
    audit({ actorId: user.id, action: "register", outcome: "success", detail: user.role });
    return { user, setCookie: await createUserSession(user.id) };
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    audit({ actorId: null, action: "register", outcome: "failure" });
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
  signIn: (value: z.output<S>, request: Request) => Promise<SignedIn>,
) {
  return handleAction(args, {
    who: "anyone",
    intents: {
      default: publicIntent(
        schema,
        async ({ value, request }) =>
          redirectSignedIn(await signIn(value, request), value.redirectTo),
        { hideFields: ["password"] },
      ),
    },
  });
}

/** End the session (if any); returns the Set-Cookie header that clears the cookie. */
export async function logOut(request: Request, user: SessionUser | null): Promise<string> {
  const setCookie = await destroySession(request);
  if (user) audit({ actorId: user.id, action: "logout", outcome: "success" });
  return setCookie;
}
