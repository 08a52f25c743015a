import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Authenticator } from "remix-auth";
import { FormStrategy } from "remix-auth-form";
import { audit } from "~/audit/audit.server";
import { getEnv } from "~/env.server";
import { hit, reset } from "~/security/rate-limit.server";
import { AccountError, createAccount, verifyLogin } from "./accounts.server";
import { createUserSession, type SessionUser } from "./session.server";
import { LoginSchema, RegisterSchema } from "./validation";

export const LOGIN_FAILED = "Email or password is incorrect.";
export const TOO_MANY_ATTEMPTS = "Too many attempts. Please wait a few minutes and try again.";
export const REGISTRATION_FAILED =
  "We could not create an account with these details. If you already have one, log in instead.";

class InvalidCredentials extends Error {}

const authenticator = new Authenticator<SessionUser>();
authenticator.use(
  new FormStrategy(async ({ form }) => {
    const submission = parseWithZod(form, { schema: LoginSchema });
    if (submission.status !== "success") throw new InvalidCredentials();
    const user = await verifyLogin(submission.value.email, submission.value.password);
    if (!user) throw new InvalidCredentials();
    return user;
  }),
  "login",
);

type Reply = SubmissionResult<string[]>;
export type AuthOutcome =
  | { ok: true; user: SessionUser; setCookie: string; redirectTo?: string }
  | { ok: false; status: 400 | 401 | 429; reply: Reply; retryAfterSeconds?: number };

export async function login(request: Request, ip: string): Promise<AuthOutcome> {
  const submission = parseWithZod(await request.clone().formData(), { schema: LoginSchema });
  if (submission.status !== "success") {
    return { ok: false, status: 400, reply: submission.reply({ hideFields: ["password"] }) };
  }
  const { email, redirectTo } = submission.value;
  const env = getEnv();
  const byIp = hit("login:ip", ip, env.RATE_LIMIT_LOGIN_PER_IP);
  const byAccount = hit("login:account", email, env.RATE_LIMIT_LOGIN_PER_ACCOUNT);
  if (!byIp.allowed || !byAccount.allowed) {
    audit({ actorId: null, action: "login", outcome: "denied", ip, detail: "rate-limited" });
    return {
      ok: false,
      status: 429,
      reply: submission.reply({ formErrors: [TOO_MANY_ATTEMPTS], hideFields: ["password"] }),
      retryAfterSeconds: Math.max(byIp.retryAfterSeconds, byAccount.retryAfterSeconds),
    };
  }
  try {
    const user = await authenticator.authenticate("login", request);
    reset("login:account", email);
    audit({ actorId: user.id, action: "login", outcome: "success", ip });
    return { ok: true, user, setCookie: await createUserSession(user.id), redirectTo };
  } catch (error) {
    if (!(error instanceof InvalidCredentials)) throw error;
    audit({ actorId: null, action: "login", outcome: "failure", ip });
    return {
      ok: false,
      status: 401,
      reply: submission.reply({ formErrors: [LOGIN_FAILED], hideFields: ["password"] }),
    };
  }
}

export async function register(request: Request, ip: string): Promise<AuthOutcome> {
  const submission = parseWithZod(await request.formData(), { schema: RegisterSchema });
  if (submission.status !== "success") {
    return { ok: false, status: 400, reply: submission.reply({ hideFields: ["password"] }) };
  }
  const limit = hit("register:ip", ip, getEnv().RATE_LIMIT_REGISTER_PER_IP);
  if (!limit.allowed) {
    return {
      ok: false,
      status: 429,
      reply: submission.reply({ formErrors: [TOO_MANY_ATTEMPTS], hideFields: ["password"] }),
      retryAfterSeconds: limit.retryAfterSeconds,
    };
  }
  const { name, email, password, isDoctor, redirectTo } = submission.value;
  try {
    const user = await createAccount({
      name,
      email,
      password,
      role: isDoctor ? "doctor" : "patient",
    });
    audit({ actorId: user.id, action: "register", outcome: "success", ip, detail: user.role });
    return { ok: true, user, setCookie: await createUserSession(user.id), redirectTo };
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    audit({ actorId: null, action: "register", outcome: "failure", ip });
    return {
      ok: false,
      status: 400,
      reply: submission.reply({ formErrors: [REGISTRATION_FAILED], hideFields: ["password"] }),
    };
  }
}
