import { getDb } from "#db/client";
import { doctorProfiles } from "#db/schema";
import { eq } from "drizzle-orm";
import { LOGIN_FAILED, REGISTRATION_FAILED } from "~/auth/login.server";
import { getSessionUser } from "~/auth/session.server";
import { action as loginAction } from "~/routes/login";
import { action as logoutAction } from "~/routes/logout";
import { action as registerAction } from "~/routes/register";
import { formRequest, getRequest, makeUser, sessionCookieFor, thrownResponse } from "../helpers";

type DataResult = { data: { error?: Record<string, string[] | null> }; init: { status: number } };
const context = { clientIp: "203.0.113.7" };
const args = (request: Request) => ({ request, context, params: {} });

async function login(fields: Record<string, string>, ip = context.clientIp) {
  return loginAction({
    request: formRequest("/login", fields),
    context: { clientIp: ip },
    params: {},
  });
}

describe("login", () => {
  test("the right password redirects to the role's home with a new session cookie", async () => {
    const user = await makeUser("patient");
    const response = (await login({
      email: user.email.toUpperCase(),
      password: user.password,
    })) as Response;
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/dashboard");
    const cookie = response.headers.get("Set-Cookie")!.split(";")[0];
    expect((await getSessionUser(getRequest("/", { Cookie: cookie })))?.id).toBe(user.id);
  });

  test("redirectTo is honoured only for local paths", async () => {
    const user = await makeUser("patient");
    const local = (await login({ ...user, redirectTo: "/dashboard?x=1" })) as Response;
    expect(local.headers.get("Location")).toBe("/dashboard?x=1");
    const foreign = (await login({ ...user, redirectTo: "https://evil.example/" })) as Response;
    expect(foreign.headers.get("Location")).toBe("/dashboard");
  });

  test("a wrong password and an unknown email get the same 401 answer", async () => {
    const user = await makeUser("patient");
    const wrong = (await login({ email: user.email, password: "not the password" })) as DataResult;
    const unknown = (await login({
      email: "nobody@example.test",
      password: "not the password",
    })) as DataResult;
    expect(wrong.init.status).toBe(401);
    expect(unknown.init.status).toBe(401);
    expect(wrong.data.error).toEqual({ "": [LOGIN_FAILED] });
    expect(unknown.data.error).toEqual(wrong.data.error);
  });

  test("the sixth rapid attempt on one account gets 429, even with the right password", async () => {
    const user = await makeUser("patient");
    for (let i = 0; i < 5; i++) {
      const result = (await login(
        { email: user.email, password: "wrong" },
        `198.51.100.${i}`,
      )) as DataResult;
      expect(result.init.status).toBe(401);
    }
    const sixth = (await login(user, "198.51.100.99")) as DataResult & {
      init: { headers: Record<string, string> };
    };
    expect(sixth.init.status).toBe(429);
    expect(sixth.data.error?.[""]?.[0]).toMatch(/^Too many attempts\. Please wait/);
    expect(Number(sixth.init.headers["Retry-After"])).toBeGreaterThan(0);
  });

  test("a missing field is a 400 with a message on the field", async () => {
    const result = (await login({ email: "someone@example.test" })) as DataResult;
    expect(result.init.status).toBe(400);
    expect(result.data.error?.password).toEqual(["Enter your password"]);
  });

  test("a cross-site POST is refused with 403 before anything else", async () => {
    const request = formRequest(
      "/login",
      { email: "a@b.test", password: "x" },
      {
        Origin: "https://evil.example",
      },
    );
    expect((await thrownResponse(loginAction(args(request)))).status).toBe(403);
  });
});

describe("registration", () => {
  const fields = (email: string, extra: Record<string, string> = {}) => ({
    name: "New Person",
    email,
    password: "a perfectly good passphrase",
    ...extra,
  });

  test("creates a patient by default and signs them in", async () => {
    const response = (await registerAction(
      args(formRequest("/register", fields("new@example.test"))),
    )) as Response;
    expect(response.headers.get("Location")).toBe("/dashboard");
    expect(response.headers.get("Set-Cookie")).toMatch(/__hemalink_session=/);
  });

  test("'I am a hematologist' creates a doctor whose profile awaits verification", async () => {
    const request = formRequest("/register", fields("doc@example.test", { isDoctor: "on" }));
    const response = (await registerAction(args(request))) as Response;
    expect(response.headers.get("Location")).toBe("/doctor");
    const cookie = response.headers.get("Set-Cookie")!.split(";")[0];
    const user = (await getSessionUser(getRequest("/", { Cookie: cookie })))!;
    expect(user.role).toBe("doctor");
    const profile = (
      await getDb().select().from(doctorProfiles).where(eq(doctorProfiles.userId, user.id)).limit(1)
    )[0];
    expect(profile?.status).toBe("pending");
  });

  test("a taken email (in any case) gets a generic 400 and no second account", async () => {
    await registerAction(args(formRequest("/register", fields("twice@example.test"))));
    const again = (await registerAction(
      args(formRequest("/register", fields("TWICE@example.test"))),
    )) as DataResult;
    expect(again.init.status).toBe(400);
    expect(again.data.error).toEqual({ "": [REGISTRATION_FAILED] });
  });

  test("a weak password is refused with the rule it broke", async () => {
    const result = (await registerAction(
      args(formRequest("/register", fields("weak@example.test", { password: "password1" }))),
    )) as DataResult;
    expect(result.init.status).toBe(400);
    expect(result.data.error?.password?.[0]).toMatch(
      /^This password is too easy to guess: this is a commonly used password\./,
    );
  });
});

describe("logout", () => {
  test("deletes the session so the cookie no longer works", async () => {
    const user = await makeUser("patient");
    const cookie = await sessionCookieFor(user.id);
    const request = formRequest("/logout", {}, { Cookie: cookie });
    const response = (await logoutAction(args(request))) as Response;
    expect(response.headers.get("Set-Cookie")).toMatch(/Max-Age=0/);
    expect(await getSessionUser(getRequest("/", { Cookie: cookie }))).toBeNull();
  });
});
