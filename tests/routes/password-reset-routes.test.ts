import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, passwordResets, sessions, users } from "#db/schema";
import { verifyLogin } from "~/auth/accounts.server";
import { RESET_LINK_INVALID, RESET_REQUESTED } from "~/auth/password-reset.server";
import { setMailTransport, type Mail } from "~/notifications/mail.server";
import { action as forgotAction } from "~/routes/forgot-password";
import { action as resetAction, loader as resetLoader } from "~/routes/reset-password";
import { formRequest, getRequest, makeUser, sessionCookieFor } from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";

type Reply = {
  data: { error?: Record<string, string[] | null>; sent?: string };
  init: { status: number; headers?: Record<string, string> };
};

let sent: Mail[] = [];
beforeEach(() => {
  sent = [];
  setMailTransport({ send: async (mail) => void sent.push(mail) });
});
afterEach(() => setMailTransport(undefined));

/** The account's side of a request runs after the answer: wait for the e-mails it sends. */
const mailsTo = (email: string, count = 1) =>
  vi.waitFor(
    () => {
      const mails = sent.filter((m) => m.to === email);
      expect(mails).toHaveLength(count);
      return mails;
    },
    { timeout: 5000 },
  );

/** Wait until `count` requests for this account have been decided (each is audited). */
const requestsDecided = (userId: string, count: number) =>
  vi.waitFor(
    async () =>
      expect(
        await getDb()
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.actorId, userId), eq(auditLog.action, "password-reset.request"))),
      ).toHaveLength(count),
    { timeout: 5000 },
  );

const ask = (email: string, ip = "203.0.113.30") =>
  forgotAction({
    request: formRequest("/forgot-password", { email }),
    context: { clientIp: ip },
    params: {},
  }) as Promise<Reply | { sent: string }>;

const resetWith = (token: string, password: string) =>
  resetAction({
    request: formRequest("/reset-password", { token, password }),
    context: { clientIp: "203.0.113.30" },
    params: {},
  }) as Promise<Reply | Response>;

const tokenIn = (mail: Mail) =>
  new URL(/https?:\/\/\S+/.exec(mail.text)![0]).searchParams.get("token")!;

async function linkFor(email: string, count = 1) {
  await ask(email);
  const mails = await mailsTo(email, count);
  return tokenIn(mails[count - 1]!);
}

describe("asking for a reset link", () => {
  test("the same answer whether the address has an account; only an account gets an e-mail", async () => {
    const user = await makeUser("patient");
    const known = await ask(user.email.toUpperCase());
    const unknown = await ask(`nobody-${Date.now()}@example.test`);
    expect(known).toEqual({ sent: RESET_REQUESTED });
    expect(unknown).toEqual(known);
    await mailsTo(user.email);
    expect(sent.map((m) => m.to)).toEqual([user.email]);
    expect(sent[0]!.text).toContain("http://localhost:3000/reset-password?token=");
    expect(sent[0]!.text).toMatch(/30 minutes/);
  });

  test("nothing that depends on the account happens before the answer", async () => {
    const user = await makeUser("patient");
    const linksOf = () =>
      getDb().select().from(passwordResets).where(eq(passwordResets.userId, user.id));
    expect(await ask(user.email)).toEqual({ sent: RESET_REQUESTED });
    expect(await linksOf()).toEqual([]);
    await mailsTo(user.email);
    expect(await linksOf()).toHaveLength(1);
    expect(sent.map((m) => m.to)).toEqual([user.email]);
  });

  test("the link's token is random and stored only as its hash, valid for 30 minutes", async () => {
    const user = await makeUser("patient");
    const token = await linkFor(user.email);
    expect(token.length).toBeGreaterThanOrEqual(43);
    const row = (
      await getDb().select().from(passwordResets).where(eq(passwordResets.userId, user.id)).limit(1)
    )[0]!;
    expect(row.id).not.toContain(token);
    expect(row.id).toMatch(/^[0-9a-f]{64}$/);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(30 * 60_000);
  });

  test("an invalid address is a 400 on the field", async () => {
    const result = (await ask("not an address")) as Reply;
    expect(result.init.status).toBe(400);
    expect(result.data.error?.email).toEqual(["Enter a valid email address"]);
  });

  test("an account gets at most three e-mails per window; the answer does not change", async () => {
    const user = await makeUser("patient");
    for (let i = 0; i < 5; i++)
      expect(await ask(user.email, `198.51.100.${i}`)).toEqual({ sent: RESET_REQUESTED });
    await requestsDecided(user.id, 5);
    await mailsTo(user.email, 3);
  });

  test("one address asking too often gets 429 with Retry-After, for known and unknown e-mails alike", async () => {
    const ip = "192.0.2.99";
    for (let i = 0; i < 10; i++) await ask(`someone${i}@example.test`, ip);
    const refused = (await ask("someone@example.test", ip)) as Reply;
    expect(refused.init.status).toBe(429);
    expect(Number(refused.init.headers?.["Retry-After"])).toBeGreaterThan(0);
  });
});

describe("choosing the new password", () => {
  test("sets it, spends the link, ends every session, and is audited", async () => {
    const user = await makeUser("patient");
    const cookie = await sessionCookieFor(user.id);
    expect(cookie).toBeTruthy();
    const token = await linkFor(user.email);

    const page = await resetLoader({
      request: getRequest(`/reset-password?token=${token}`),
      context: {},
      params: {},
    });
    expect(page).toEqual({ token, invalid: null });

    const done = (await resetWith(token, "a brand new long passphrase")) as Response;
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/login?reset=done");
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    expect(await verifyLogin(user.email, "a brand new long passphrase")).toMatchObject({
      id: user.id,
    });
    expect(await verifyLogin(user.email, user.password)).toBeNull();

    const again = (await resetWith(token, "yet another long passphrase")) as Reply;
    expect(again.init.status).toBe(400);
    expect(again.data.error?.[""]).toEqual([RESET_LINK_INVALID]);
    const audit = await getDb()
      .select({ action: auditLog.action, outcome: auditLog.outcome })
      .from(auditLog)
      .where(eq(auditLog.actorId, user.id));
    expect(audit).toEqual([
      { action: "password-reset.request", outcome: "success" },
      { action: "password-reset.complete", outcome: "success" },
    ]);
  });

  test("a weak password is refused by the role's strength rules and the link stays usable", async () => {
    const user = await makeUser("doctor");
    const token = await linkFor(user.email);
    const weak = (await resetWith(token, "password123")) as Reply;
    expect(weak.init.status).toBe(400);
    expect(weak.data.error?.password?.[0]).toMatch(/too easy to guess/);
    const hash = (await getDb().select().from(users).where(eq(users.id, user.id)).limit(1))[0]!
      .passwordHash;
    expect(await verifyLogin(user.email, user.password)).not.toBeNull();
    expect(hash).toBeTruthy();
    expect(
      ((await resetWith(token, "four uncommon words hematology quartz")) as Response).status,
    ).toBe(302);
  });

  test("a link older than 30 minutes, or a made-up one, is refused", async () => {
    const user = await makeUser("patient");
    const token = await linkFor(user.email);
    await inTransaction(({ tx }) =>
      tx
        .update(passwordResets)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(passwordResets.userId, user.id)),
    );
    const expired = (await resetWith(token, "a brand new long passphrase")) as Reply;
    expect(expired.data.error?.[""]).toEqual([RESET_LINK_INVALID]);
    const page = await resetLoader({
      request: getRequest(`/reset-password?token=made-up`),
      context: {},
      params: {},
    });
    expect(page.invalid).toBe(RESET_LINK_INVALID);
  });

  test("a new password spends the account's other open links too", async () => {
    const user = await makeUser("patient");
    const first = await linkFor(user.email);
    const secondToken = await linkFor(user.email, 2);
    expect(((await resetWith(secondToken, "a brand new long passphrase")) as Response).status).toBe(
      302,
    );
    const old = (await resetWith(first, "another brand new passphrase")) as Reply;
    expect(old.data.error?.[""]).toEqual([RESET_LINK_INVALID]);
  });
});
