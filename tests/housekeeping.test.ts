import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { rateLimits, sessions } from "#db/schema";
import { createUserSession } from "~/auth/session.server";
import { runHousekeeping } from "~/housekeeping/housekeeping.server";
import { hit } from "~/security/rate-limit.server";
import { makeUser } from "./helpers";

describe("the scheduled housekeeping", () => {
  test("removes expired sessions and past rate-limit windows, and keeps live ones", async () => {
    const user = await makeUser();
    const now = Date.now();
    await createUserSession(user.id, new Date(now - 48 * 3600_000)); // past both limits
    await createUserSession(user.id, new Date(now)); // live
    hit("housekeeping:old", "k", 5, now - 24 * 3600_000);
    hit("housekeeping:new", "k", 5, now);

    const report = runHousekeeping(new Date(now));

    expect(report.sessions).toBeGreaterThanOrEqual(1);
    expect(report.rateLimits).toBeGreaterThanOrEqual(1);
    const left = getDb().select().from(sessions).where(eq(sessions.userId, user.id)).all();
    expect(left).toHaveLength(1);
    const buckets = getDb()
      .select({ bucket: rateLimits.bucket })
      .from(rateLimits)
      .all()
      .map((r) => r.bucket);
    expect(buckets).toContain("housekeeping:new");
    expect(buckets).not.toContain("housekeeping:old");
    // Idempotent: a second run (another instance) finds nothing more to do.
    expect(runHousekeeping(new Date(now))).toMatchObject({ sessions: 0, rateLimits: 0 });
  });
});
