import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, secondFactors } from "#db/schema";
import { beginEnrolment, confirmEnrolment, currentCode } from "~/auth/second-factor.server";
import { getSessionUser } from "~/auth/session.server";
import { action as securityAction, loader as securityLoader } from "~/routes/account.security";
import { action as loginAction } from "~/routes/login";
import { action as codeAction, loader as codeLoader } from "~/routes/login_.code";
import { action as enrolAction, loader as enrolLoader } from "~/routes/login_.enrol";
import {
  formRequest,
  getRequest,
  makeCertifiedDoctor,
  makeUser,
  sessionCookieFor,
  thrownResponse,
} from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";

type Reply = { data: { error?: Record<string, string[] | null> }; init: { status: number } };
const context = { clientIp: "203.0.113.20" };

const cookiesOf = (response: Response) =>
  Object.fromEntries(
    response.headers.getSetCookie().map((c) => {
      const [pair] = c.split(";");
      const at = pair!.indexOf("=");
      return [pair!.slice(0, at), pair!];
    }),
  );

const secretOf = async (userId: string) =>
  (await getDb().select().from(secondFactors).where(eq(secondFactors.userId, userId)).limit(1))[0]!
    .secret;

async function enrolledDoctor() {
  const { user } = await makeCertifiedDoctor();
  const password = "correct horse battery";
  await beginEnrolment(user);
  const recoveryCodes = await confirmEnrolment(user, await currentCode(await secretOf(user.id)));
  await inTransaction(({ tx }) =>
    tx.update(secondFactors).set({ lastStep: 0 }).where(eq(secondFactors.userId, user.id)),
  );
  return { user, password, recoveryCodes, secret: await secretOf(user.id) };
}

/** The password step: the challenge cookie it leaves, and where it sends the browser. */
async function passwordStep(email: string, password: string, redirectTo = "") {
  const response = (await loginAction({
    request: formRequest("/login", { email, password, redirectTo }),
    context,
    params: {},
  })) as Response;
  expect(response.status).toBe(302);
  const cookies = cookiesOf(response);
  return { to: response.headers.get("Location"), cookies, challenge: cookies.__hemalink_login };
}

const second = (path: string, challenge: string | undefined, fields: Record<string, string>) => ({
  request: formRequest(path, fields, challenge ? { Cookie: challenge } : {}),
  context,
  params: {},
});

describe("a doctor's login with two-step login", () => {
  test("the password leads to the code step without a session; the right code starts one", async () => {
    const { user, password, secret } = await enrolledDoctor();
    const step = await passwordStep(user.email, password, "/doctor/cases");
    expect(step.to).toBe("/login/code");
    expect(step.challenge).toBeDefined();
    expect(step.cookies.__hemalink_session).toBeUndefined();

    const page = await codeLoader({
      request: getRequest("/login/code", { Cookie: step.challenge! }),
      context,
      params: {},
    });
    expect(page).toBeNull();

    const done = (await codeAction(
      second("/login/code", step.challenge, { code: await currentCode(secret) }),
    )) as Response;
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/doctor/cases");
    const cookies = cookiesOf(done);
    const session = getRequest("/", { Cookie: cookies.__hemalink_session! });
    expect((await getSessionUser(session))?.id).toBe(user.id);
    expect(cookies.__hemalink_login).toMatch(/^__hemalink_login=$/);
    const audit = await getDb()
      .select({ action: auditLog.action, detail: auditLog.detail })
      .from(auditLog)
      .where(and(eq(auditLog.actorId, user.id), eq(auditLog.outcome, "success")));
    expect(audit).toContainEqual({ action: "login", detail: "authenticator" });
  });

  test("a wrong code is refused with 401 and a message on the field", async () => {
    const { user, password } = await enrolledDoctor();
    const step = await passwordStep(user.email, password);
    const wrong = (await codeAction(
      second("/login/code", step.challenge, { code: "000000" }),
    )) as Reply;
    expect(wrong.init.status).toBe(401);
    expect(wrong.data.error?.code?.[0]).toMatch(/That code is not right/);
    const malformed = (await codeAction(
      second("/login/code", step.challenge, { code: "12ab" }),
    )) as Reply;
    expect(malformed.init.status).toBe(400);
    expect(malformed.data.error?.code).toEqual(["Enter the 6-digit code from your app"]);
  });

  test("after five wrong codes the account backs off: 429 with Retry-After, even for the right code", async () => {
    const { user, password, secret } = await enrolledDoctor();
    const step = await passwordStep(user.email, password);
    for (let i = 0; i < 5; i++) {
      const wrong = (await codeAction(
        second("/login/code", step.challenge, { code: "000000" }),
      )) as Reply;
      expect(wrong.init.status).toBe(401);
    }
    const refused = (await codeAction(
      second("/login/code", step.challenge, { code: await currentCode(secret) }),
    )) as Reply & { init: { headers: Record<string, string> } };
    expect(refused.init.status).toBe(429);
    expect(Number(refused.init.headers["Retry-After"])).toBeGreaterThan(0);
    // Entering the password again starts no new count.
    const again = await passwordStep(user.email, password);
    const still = (await codeAction(
      second("/login/code", again.challenge, { code: await currentCode(secret) }),
    )) as Reply;
    expect(still.init.status).toBe(429);
  });

  test("a recovery code logs in once", async () => {
    const { user, password, recoveryCodes } = await enrolledDoctor();
    const first = await passwordStep(user.email, password);
    const used = (await codeAction(
      second("/login/code", first.challenge, {
        intent: "recovery",
        recoveryCode: recoveryCodes[0]!,
      }),
    )) as Response;
    expect(used.status).toBe(302);
    expect(cookiesOf(used).__hemalink_session).toBeDefined();

    const again = await passwordStep(user.email, password);
    const refused = (await codeAction(
      second("/login/code", again.challenge, {
        intent: "recovery",
        recoveryCode: recoveryCodes[0]!,
      }),
    )) as Reply;
    expect(refused.init.status).toBe(401);
    expect(refused.data.error?.recoveryCode?.[0]).toMatch(/has been used/);
  });

  test("without the password step (no challenge, or a forged one) the code page sends to /login", async () => {
    const { secret } = await enrolledDoctor();
    const none = await thrownResponse(
      codeLoader({ request: getRequest("/login/code"), context, params: {} }),
    );
    expect(none.headers.get("Location")).toBe("/login");
    const forged = await thrownResponse(
      codeAction(
        second("/login/code", "__hemalink_login=eyJ1c2VySWQiOiJ4In0%3D.forged", {
          code: await currentCode(secret),
        }),
      ),
    );
    expect(forged.headers.get("Location")).toBe("/login");
  });
});

describe("an account that must have a second factor and has none", () => {
  test("is taken to set-up after the password; confirming shows recovery codes and signs in", async () => {
    const { user } = await makeCertifiedDoctor();
    const step = await passwordStep(user.email, "correct horse battery");
    expect(step.to).toBe("/login/enrol");
    expect(step.cookies.__hemalink_session).toBeUndefined();

    const page = await enrolLoader({
      request: getRequest("/login/enrol", { Cookie: step.challenge! }),
      context,
      params: {},
    });
    expect(page.enrolment?.qrSvg).toMatch(/^<svg/);
    const wrong = (await enrolAction(
      second("/login/enrol", step.challenge, { code: "000000" }),
    )) as Reply;
    expect(wrong.init.status).toBe(400);

    const done = (await enrolAction(
      second("/login/enrol", step.challenge, { code: await currentCode(page.enrolment!.secret) }),
    )) as { data: { recoveryCodes: string[]; next: string }; init: { headers: Headers } };
    expect(done.data.recoveryCodes).toHaveLength(10);
    expect(done.data.next).toBe("/doctor");
    const session = done.init.headers
      .getSetCookie()
      .find((c) => c.startsWith("__hemalink_session="))!
      .split(";")[0]!;
    expect((await getSessionUser(getRequest("/", { Cookie: session })))?.id).toBe(user.id);

    // The next login asks for a code.
    expect((await passwordStep(user.email, "correct horse battery")).to).toBe("/login/code");
  });

  test("a patient without one logs straight in", async () => {
    const patient = await makeUser("patient");
    const step = await passwordStep(patient.email, patient.password);
    expect(step.to).toBe("/dashboard");
    expect(step.cookies.__hemalink_session).toBeDefined();
  });
});

describe("the account security page", () => {
  test("a patient turns two-step login on, and the next login asks for a code", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const post = (fields: Record<string, string>) =>
      securityAction({
        request: formRequest("/account/security", fields, { Cookie: cookie }),
        context,
        params: {},
      });
    const load = () =>
      securityLoader({
        request: getRequest("/account/security", { Cookie: cookie }),
        context,
        params: {},
      });
    expect((await load()).state).toMatchObject({ enabled: false, required: false });
    await post({ intent: "start" });
    const { enrolment } = await load();
    const done = (await post({
      intent: "confirm",
      code: await currentCode(enrolment!.secret),
    })) as { recoveryCodes: string[] };
    expect(done.recoveryCodes).toHaveLength(10);
    expect((await load()).state).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    expect((await passwordStep(patient.email, patient.password)).to).toBe("/login/code");
  });

  test("an anonymous visitor is sent to log in", async () => {
    const response = await thrownResponse(
      securityLoader({ request: getRequest("/account/security"), context, params: {} }),
    );
    expect(response.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });
});
