import crypto from "node:crypto";
import { and, eq, lt, or } from "drizzle-orm";
import { getDb } from "#db/client";
import { sessions, users, type User } from "#db/schema";
import { getEnv } from "~/env.server";
import { signedCookie } from "./cookies.server";
import { inTransaction } from "~/data/unit-of-work.server";

export type SessionUser = Pick<User, "id" | "email" | "role" | "displayName">;

// Refresh last_seen at most once a second: the idle timeout then counts from the last request
// to the second (a once-a-minute refresh ended active sessions up to a minute early), for at
// most one small write per session and second.
const TOUCH_INTERVAL_MS = 1_000;

const sessionCookie = () =>
  signedCookie("__hemalink_session", { maxAge: getEnv().SESSION_MAX_HOURS * 3600 });

const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

/** A fresh session on every login (no fixation); returns the Set-Cookie header. */
export async function createUserSession(userId: string, now = new Date()): Promise<string> {
  const env = getEnv();
  const token = crypto.randomBytes(32).toString("base64url");
  await inTransaction(({ tx }) =>
    tx.insert(sessions).values({
      id: hashToken(token),
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + env.SESSION_MAX_HOURS * 3600_000),
    }),
  );
  return sessionCookie().serialize(token);
}

async function readToken(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get("cookie"));
  return typeof value === "string" && value.length > 0 ? value : null;
}

/** The signed-in user, or null when there is no live session (expired rows are removed). */
export async function getSessionUser(
  request: Request,
  now = new Date(),
): Promise<SessionUser | null> {
  const token = await readToken(request);
  if (!token) return null;
  const db = getDb();
  const id = hashToken(token);
  const row = (
    await db
      .select({
        id: users.id,
        email: users.email,
        role: users.role,
        displayName: users.displayName,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.id, id))
      .limit(1)
  )[0];
  if (!row) return null;
  const idleLimit = row.lastSeenAt.getTime() + getEnv().SESSION_IDLE_MINUTES * 60_000;
  if (now.getTime() >= row.expiresAt.getTime() || now.getTime() >= idleLimit) {
    await inTransaction(({ tx }) => tx.delete(sessions).where(eq(sessions.id, id)));
    return null;
  }
  if (now.getTime() - row.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
    await inTransaction(({ tx }) =>
      tx.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.id, id)),
    );
  }
  return { id: row.id, email: row.email, role: row.role, displayName: row.displayName };
}

/** Deletes the session row and returns a Set-Cookie header that clears the cookie. */
export async function destroySession(request: Request): Promise<string> {
  const token = await readToken(request);
  if (token)
    await inTransaction(({ tx }) => tx.delete(sessions).where(eq(sessions.id, hashToken(token))));
  return sessionCookie().serialize("", { maxAge: 0 });
}

/** Housekeeping: remove sessions past their absolute or idle limit. */
export async function purgeExpiredSessions(now = new Date()): Promise<number> {
  const idleCutoff = new Date(now.getTime() - getEnv().SESSION_IDLE_MINUTES * 60_000);
  return (
    await inTransaction(({ tx }) =>
      tx
        .delete(sessions)
        .where(or(lt(sessions.expiresAt, now), and(lt(sessions.lastSeenAt, idleCutoff))))
        .returning(),
    )
  ).length;
}
