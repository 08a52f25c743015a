import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { sessions } from "#db/schema";
import { createUserSession, destroySession, getSessionUser } from "~/auth/session.server";
import { getRequest, makeUser } from "../helpers";

const withCookie = (setCookie: string) => getRequest("/", { Cookie: setCookie.split(";")[0] });

describe("database sessions", () => {
  test("a session cookie is HttpOnly, SameSite=Lax, and identifies its user", async () => {
    const user = await makeUser();
    const setCookie = await createUserSession(user.id);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect((await getSessionUser(withCookie(setCookie)))?.id).toBe(user.id);
  });

  test("the database stores a hash of the token, not the token", async () => {
    const user = await makeUser();
    const setCookie = await createUserSession(user.id);
    const rows = await getDb().select().from(sessions).where(eq(sessions.userId, user.id));
    expect(rows).toHaveLength(1);
    expect(setCookie).not.toContain(rows[0].id);
  });

  test("every login creates a new session", async () => {
    const user = await makeUser();
    const first = await createUserSession(user.id);
    const second = await createUserSession(user.id);
    expect(first).not.toBe(second);
  });

  test("an idle session expires after 30 minutes and its row is removed", async () => {
    const user = await makeUser();
    const start = new Date("2026-01-01T10:00:00Z");
    const setCookie = await createUserSession(user.id, start);
    const request = withCookie(setCookie);
    expect(await getSessionUser(request, new Date("2026-01-01T10:29:00Z"))).not.toBeNull();
    // Activity at 10:29 moved the idle deadline to 10:59.
    expect(await getSessionUser(request, new Date("2026-01-01T10:58:00Z"))).not.toBeNull();
    expect(await getSessionUser(request, new Date("2026-01-01T11:29:00Z"))).toBeNull();
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
  });

  test("the idle timeout counts from the last request, to the second", async () => {
    const user = await makeUser();
    const start = Date.parse("2026-01-01T10:00:00Z");
    const request = withCookie(await createUserSession(user.id, new Date(start)));
    const at = (seconds: number) => new Date(start + seconds * 1000);
    // A request 30 s in: the 30-minute idle limit now ends at 10:30:30, not at 10:30:00.
    expect(await getSessionUser(request, at(30))).not.toBeNull();
    expect(await getSessionUser(request, at(30 + 30 * 60 - 1))).not.toBeNull();
    // That request moved the deadline to 11:00:29; at that second the session is over.
    expect(await getSessionUser(request, at(30 + 30 * 60 - 1 + 30 * 60))).toBeNull();
  });

  test("an active session still ends at its 12-hour absolute lifetime", async () => {
    const user = await makeUser();
    const start = new Date("2026-01-01T00:00:00Z");
    const request = withCookie(await createUserSession(user.id, start));
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      const now = new Date(start.getTime() + minutes * 60_000);
      expect(await getSessionUser(request, now)).not.toBeNull();
    }
    expect(await getSessionUser(request, new Date("2026-01-01T12:00:00Z"))).toBeNull();
  });

  test("logout deletes the row, so the old cookie stops working", async () => {
    const user = await makeUser();
    const request = withCookie(await createUserSession(user.id));
    const cleared = await destroySession(request);
    expect(cleared).toMatch(/Max-Age=0/);
    expect(await getSessionUser(request)).toBeNull();
  });

  test("a forged or unsigned cookie is ignored", async () => {
    const request = getRequest("/", { Cookie: "__hemalink_session=forged-token" });
    expect(await getSessionUser(request)).toBeNull();
  });
});
