import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { consultations, rateLimits, sessions } from "#db/schema";
import { createUserSession } from "~/auth/session.server";
import { runHousekeeping, startHousekeeping } from "~/housekeeping/housekeeping.server";
import { loader as patientCaseLoader } from "~/routes/consultations.$id";
import { loader as patientListLoader } from "~/routes/consultations._index";
import { loader as doctorListLoader } from "~/routes/doctor.cases._index";
import { hit } from "~/security/rate-limit.server";
import {
  getRequest,
  insertAnsweredConsultation,
  makeCertifiedDoctor,
  makeUser,
  sessionCookieFor,
} from "./helpers";

describe("the scheduled housekeeping", () => {
  test("removes expired sessions and past rate-limit windows, and keeps live ones", async () => {
    const user = await makeUser();
    const now = Date.now();
    await createUserSession(user.id, new Date(now - 48 * 3600_000)); // past both limits
    await createUserSession(user.id, new Date(now)); // live
    await hit("housekeeping:old", "k", 5, now - 24 * 3600_000);
    await hit("housekeeping:new", "k", 5, now);

    const report = await runHousekeeping(new Date(now));

    expect(report.sessions).toBeGreaterThanOrEqual(1);
    expect(report.rateLimits).toBeGreaterThanOrEqual(1);
    const left = await getDb().select().from(sessions).where(eq(sessions.userId, user.id));
    expect(left).toHaveLength(1);
    const buckets = (await getDb().select({ bucket: rateLimits.bucket }).from(rateLimits)).map(
      (r) => r.bucket,
    );
    expect(buckets).toContain("housekeeping:new");
    expect(buckets).not.toContain("housekeeping:old");
    // Idempotent: a second run (another instance) finds nothing more to do.
    expect(await runHousekeeping(new Date(now))).toMatchObject({ sessions: 0, rateLimits: 0 });
  });

  describe("on the server's timer", () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    test("runs every interval on an unref'd timer until stopped", () => {
      const run = vi.fn();
      const unref = vi.spyOn(globalThis, "setInterval");
      const stop = startHousekeeping(60, run);
      expect(unref.mock.results[0]?.value.hasRef()).toBe(false);
      vi.advanceTimersByTime(59_999);
      expect(run).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      vi.advanceTimersByTime(120_000);
      expect(run).toHaveBeenCalledTimes(3);
      stop();
      vi.advanceTimersByTime(600_000);
      expect(run).toHaveBeenCalledTimes(3);
      unref.mockRestore();
    });

    test("0 leaves it to a platform scheduler", () => {
      const run = vi.fn();
      startHousekeeping(0, run);
      vi.advanceTimersByTime(3_600_000);
      expect(run).not.toHaveBeenCalled();
    });

    test("a failed run is logged with the request id and tried again at the next tick", () => {
      const error = vi.spyOn(console, "error").mockImplementation(() => {});
      const run = vi.fn(() => {
        throw new Error("database is locked");
      });
      const stop = startHousekeeping(1, run);
      vi.advanceTimersByTime(2_000);
      stop();
      expect(run).toHaveBeenCalledTimes(2);
      expect(error.mock.calls[0]?.[0]).toMatch(/scheduled housekeeping failed/);
      error.mockClear();
    });
  });
});

/**
 * Every row of every table, by table; but the session's last-seen time (the idle timeout's
 * clock) and the audit trail, where reading patient data is recorded on purpose (DESIGN.md).
 */
function databaseState(): Record<string, string> {
  const db = getDb().$client;
  const tables = db
    .prepare(
      "select name from sqlite_master where type = 'table' and name not in ('audit_log', 'sqlite_sequence') order by name",
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.map((table) => {
      const rows = db.prepare(`select * from "${table}"`).all() as Record<string, unknown>[];
      const kept = rows.map((row) => (table === "sessions" ? { ...row, last_seen_at: 0 } : row));
      return [table, JSON.stringify(kept)];
    }),
  );
}

describe("no writes on GET", () => {
  test("the consultation pages' loaders close nothing and purge nothing, even when it is due", async () => {
    const patient = await makeUser("patient");
    const { user: doctor, profile } = await makeCertifiedDoctor();
    const longAgo = new Date(Date.now() - 60 * 86_400_000);
    const due = await insertAnsweredConsultation(patient.id, profile.id, longAgo);
    await createUserSession(patient.id, new Date(Date.now() - 48 * 3600_000)); // expired
    await hit("get:old", "k", 5, Date.now() - 24 * 3600_000);
    const patientCookie = { Cookie: await sessionCookieFor(patient.id) };
    const doctorCookie = { Cookie: await sessionCookieFor(doctor.id) };
    const before = databaseState();

    const args = (path: string, headers: Record<string, string>, params = {}) => ({
      request: getRequest(path, headers),
      params,
      context: {},
    });
    await patientListLoader(args("/consultations", patientCookie));
    await doctorListLoader(args("/doctor/cases", doctorCookie));
    // The case page marks the patient's notifications of this case read; there are none.
    await patientCaseLoader(args(`/consultations/${due.id}`, patientCookie, { id: due.id }));

    const after = databaseState();
    const changed = Object.keys(after).filter((table) => after[table] !== before[table]);
    expect(changed).toEqual([]);
    const row = (
      await getDb().select().from(consultations).where(eq(consultations.id, due.id)).limit(1)
    )[0];
    expect(row?.status).toBe("answered");
    // The scheduled job, not a page, closes it.
    expect((await runHousekeeping()).closed).toBeGreaterThanOrEqual(1);
  });
});
