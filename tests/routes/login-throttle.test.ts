// A small per-address allowance, so the address limit can be reached in a test.
process.env.RATE_LIMIT_LOGIN_FAILURES_PER_IP = "3";

import { backoffSeconds, purgeLoginThrottle } from "~/auth/login-throttle.server";
import { errorResponse } from "~/http/errors.server";
import { rateLimited } from "~/errors/domain-error";
import { action as loginAction } from "~/routes/login";
import { formRequest, makeUser } from "../helpers";

type Reply = {
  data: { error?: Record<string, string[] | null> };
  init: { status: number; headers?: Record<string, string> };
};
type Outcome = { status: number; retryAfter: number | null; cookies: string[]; message?: string };

let addressCounter = 0;
const freshAddress = () => `198.51.100.${(addressCounter += 1) % 250}`;

async function attempt(
  email: string,
  password: string,
  options: { ip?: string; cookie?: string } = {},
): Promise<Outcome> {
  const headers: Record<string, string> = options.cookie ? { Cookie: options.cookie } : {};
  const result = (await loginAction({
    request: formRequest("/login", { email, password }, headers),
    context: { clientIp: options.ip ?? freshAddress() },
    params: {},
  })) as Response | Reply;
  if (result instanceof Response) {
    return { status: result.status, retryAfter: null, cookies: result.headers.getSetCookie() };
  }
  const retry = result.init.headers?.["Retry-After"];
  return {
    status: result.init.status,
    retryAfter: retry ? Number(retry) : null,
    cookies: [],
    message: result.data.error?.[""]?.[0],
  };
}

/** The Cookie header a browser sends back after `outcome` set its cookies. */
const deviceCookieOf = (outcome: Outcome) =>
  outcome.cookies.find((c) => c.startsWith("__hemalink_device="))!.split(";")[0]!;

describe("login throttling", () => {
  test("the back-off starts after five failures, doubles, and is capped at 15 minutes", () => {
    expect([1, 4].map(backoffSeconds)).toEqual([0, 0]);
    expect([5, 6, 7, 8].map(backoffSeconds)).toEqual([15, 30, 60, 120]);
    expect(backoffSeconds(30)).toBe(900);
  });

  test("after five wrong passwords a sixth try without a known device waits, told how long", async () => {
    const user = await makeUser();
    for (let i = 0; i < 5; i++) expect((await attempt(user.email, "wrong")).status).toBe(401);
    const refused = await attempt(user.email, user.password);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.retryAfter).toBeLessThanOrEqual(15);
    expect(refused.message).toMatch(/Too many attempts\. Please wait \d+ seconds/);
  });

  test("a correct password from a device that logged in before gets through an attacker's back-off", async () => {
    const user = await makeUser();
    const first = await attempt(user.email, user.password);
    expect(first.status).toBe(302);
    const device = deviceCookieOf(first);
    // Someone else guesses from many addresses until the account backs off.
    for (let i = 0; i < 8; i++) await attempt(user.email, "guess");
    expect((await attempt(user.email, user.password)).status).toBe(429);
    const rightful = await attempt(user.email, user.password, { cookie: device });
    expect(rightful.status).toBe(302);
  });

  test("a known-device cookie is no guessing licence: its own failures back off too", async () => {
    const user = await makeUser();
    const device = deviceCookieOf(await attempt(user.email, user.password));
    for (let i = 0; i < 5; i++) await attempt(user.email, "guess", { cookie: device });
    const refused = await attempt(user.email, user.password, { cookie: device });
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBeGreaterThan(0);
  });

  test("another account's device cookie, or a forged one, counts for nothing", async () => {
    const other = await makeUser();
    const victim = await makeUser();
    const device = deviceCookieOf(await attempt(other.email, other.password));
    for (let i = 0; i < 5; i++) await attempt(victim.email, "guess");
    expect((await attempt(victim.email, victim.password, { cookie: device })).status).toBe(429);
    const forged = `__hemalink_device=${btoa(JSON.stringify({ id: "x", users: [victim.id] }))}`;
    expect((await attempt(victim.email, victim.password, { cookie: forged })).status).toBe(429);
  });

  test("successful logins never count against the address; failures do, with Retry-After", async () => {
    const clinic = "192.0.2.10";
    const staff = await Promise.all([1, 2, 3, 4, 5].map(() => makeUser("doctor")));
    for (let round = 0; round < 4; round++) {
      for (const person of staff) {
        expect((await attempt(person.email, person.password, { ip: clinic })).status).toBe(302);
      }
    }
    for (let i = 0; i < 3; i++) {
      expect((await attempt(`nobody${i}@example.test`, "x", { ip: clinic })).status).toBe(401);
    }
    const refused = await attempt(staff[0]!.email, staff[0]!.password, { ip: clinic });
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBeGreaterThan(0);
  });

  test("parallel guesses are counted as they arrive: no more than five passwords are checked", async () => {
    const user = await makeUser();
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => attempt(user.email, "parallel guess")),
    );
    const statuses = outcomes.map((o) => o.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
  });

  test("a success forgives the earlier failures", async () => {
    const user = await makeUser();
    for (let i = 0; i < 4; i++) await attempt(user.email, "typo");
    expect((await attempt(user.email, user.password)).status).toBe(302);
    for (let i = 0; i < 4; i++) expect((await attempt(user.email, "typo")).status).toBe(401);
  });

  test("every 429 carries Retry-After, at least one second", () => {
    expect(errorResponse(rateLimited("slow down", 0)).headers.get("Retry-After")).toBe("1");
  });

  test("housekeeping forgets counters that neither block nor are remembered", async () => {
    const user = await makeUser();
    await attempt(user.email, "typo");
    expect(await purgeLoginThrottle(Date.now())).toBe(0);
    expect(await purgeLoginThrottle(Date.now() + 25 * 3600_000)).toBeGreaterThan(0);
  });
});
