import fs from "node:fs";
import { eq, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import { consultations, rateLimits, sessions, uploads } from "#db/schema";
import { createUserSession } from "~/auth/session.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { HOUSEKEEPING_JOBS, isHousekeepingJob } from "~/housekeeping/housekeeping.server";
import { hit } from "~/security/rate-limit.server";
import { PENDING_GRACE_MS } from "~/uploads/recovery.server";
import { getImageStore, newImageKey } from "~/uploads/storage.server";
import { scheduledHandler, type Job } from "../server/scheduled-handler";
import { insertAnsweredConsultation, makeCertifiedDoctor, makeUser } from "./helpers";

/** The scheduled function of app.arc for `job`, as `server/scheduled.ts` builds it. */
type Jobs = typeof HOUSEKEEPING_JOBS;
type ReportOf<K extends keyof Jobs> = Awaited<ReturnType<Jobs[K]>>;
const scheduled = <K extends keyof Jobs>(job: K) =>
  scheduledHandler(job, HOUSEKEEPING_JOBS[job] as Job<ReportOf<K>>);
const event = (at: Date) => ({ time: at.toISOString(), "detail-type": "Scheduled Event" });

beforeEach(() => vi.spyOn(console, "info").mockImplementation(() => {}));
afterEach(() => vi.restoreAllMocks());

describe("the scheduled functions", () => {
  test("app.arc schedules exactly the housekeeping jobs, each from its own function folder", () => {
    const arc = fs.readFileSync("app.arc", "utf8");
    const scheduledSection = arc.split("@scheduled")[1]!.split(/\n@/)[0]!;
    const names = [...scheduledSection.matchAll(/^([\w-]+)\n\s+rate /gm)].map((m) => m[1]!);
    expect(names.sort()).toEqual(Object.keys(HOUSEKEEPING_JOBS).sort());
    for (const name of names) {
      expect(scheduledSection).toContain(`src build/arc/scheduled/${name}`);
    }
    expect(isHousekeepingJob("orphan-sweep")).toBe(true);
    expect(isHousekeepingJob("toString")).toBe(false);
  });

  test("consultation-auto-close closes an answered consultation that is due, and only it", async () => {
    const patient = await makeUser("patient");
    const { profile } = await makeCertifiedDoctor();
    const now = new Date();
    const insert = async (answeredDaysAgo: number) => {
      const at = new Date(now.getTime() - answeredDaysAgo * 86_400_000);
      return (await insertAnsweredConsultation(patient.id, profile.id, at)).id;
    };
    const due = await insert(60);
    const recent = await insert(1);

    const report = await scheduled("consultation-auto-close")(event(now));

    expect(report.job).toBe("consultation-auto-close");
    expect(report.closed).toBeGreaterThanOrEqual(1);
    const statuses = Object.fromEntries(
      (
        await getDb()
          .select({ id: consultations.id, status: consultations.status })
          .from(consultations)
          .where(inArray(consultations.id, [due, recent]))
      ).map((r) => [r.id, r.status]),
    );
    expect(statuses).toEqual({ [due]: "closed", [recent]: "answered" });
    expect(console.info).toHaveBeenCalledWith(
      expect.stringContaining('"job":"consultation-auto-close"'),
    );
  });

  test("session-purge removes expired sessions and keeps the live one", async () => {
    const user = await makeUser();
    const now = new Date();
    await createUserSession(user.id, new Date(now.getTime() - 48 * 3600_000));
    await createUserSession(user.id, now);

    const report = await scheduled("session-purge")(event(now));

    expect(report.sessions).toBeGreaterThanOrEqual(1);
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(
      1,
    );
    // Idempotent: another run at the same time finds nothing of this user's.
    await scheduled("session-purge")(event(now));
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(
      1,
    );
  });

  test("rate-limit-purge removes past windows and keeps the current one", async () => {
    const now = Date.now();
    await hit("scheduled:old", "k", 5, now - 24 * 3600_000);
    await hit("scheduled:new", "k", 5, now);

    const report = await scheduled("rate-limit-purge")(event(new Date(now)));

    expect(report.rateLimits).toBeGreaterThanOrEqual(1);
    const buckets = (await getDb().select({ bucket: rateLimits.bucket }).from(rateLimits)).map(
      (r) => r.bucket,
    );
    expect(buckets).toContain("scheduled:new");
    expect(buckets).not.toContain("scheduled:old");
  });

  test("orphan-sweep removes an upload abandoned mid-way, files and row, and keeps a fresh one", async () => {
    const patient = await makeUser("patient");
    const now = new Date();
    const store = getImageStore();
    const pending = async (createdAt: Date) => {
      const imageKey = newImageKey();
      await inTransaction(({ tx }) =>
        tx.insert(uploads).values({
          userId: patient.id,
          imageKey,
          requestSha256: "0".repeat(64),
          owner: "another-host:4242",
          createdAt,
        }),
      );
      await store.put(imageKey, "original", new Uint8Array([1, 2, 3]));
      return imageKey;
    };
    const abandoned = await pending(new Date(now.getTime() - PENDING_GRACE_MS - 60_000));
    const fresh = await pending(now);

    const report = await scheduled("orphan-sweep")(event(now));

    expect(report.uploads).toMatchObject({ abandoned: 1 });
    const left = await getDb().select().from(uploads).where(eq(uploads.userId, patient.id));
    expect(left.map((r) => r.imageKey)).toEqual([fresh]);
    expect(await store.get(abandoned, "original")).toBeNull();
    expect(await store.get(fresh, "original")).not.toBeNull();
  });

  test("an event without a usable time runs the job as of now", async () => {
    const run = vi.fn(async () => ({ done: 1 }));
    await scheduledHandler("probe", run)({ time: "not a time" });
    await scheduledHandler("probe", run)();
    for (const [at] of run.mock.calls as unknown as [Date][]) {
      expect(Math.abs(at.getTime() - Date.now())).toBeLessThan(5_000);
    }
  });

  test("a failing job fails the invocation, for Lambda to record and the next run to retry", async () => {
    const failing = scheduledHandler("probe", async () => {
      throw new Error("database is locked");
    });
    await expect(failing(event(new Date()))).rejects.toThrow("database is locked");
  });
});
