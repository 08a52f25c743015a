import { spawnSync } from "node:child_process";
import { eq, isNotNull } from "drizzle-orm";
import { getDb } from "#db/client";
import { consultations, doctorProfiles, reviews, users } from "#db/schema";
import { verifyLogin } from "~/auth/accounts.server";
import { hashPassword } from "~/auth/password.server";
import {
  checkTotp,
  currentCode,
  hasSecondFactor,
  secondFactorRequired,
} from "~/auth/second-factor.server";
import { MIN_REPLIES_SHOWN, replyTimeLabel } from "~/doctors/reply-time";
import { median } from "~/doctors/reply-time.server";
import { DEMO_ACCOUNTS, DEMO_DOMAIN, isSeeded, seedDemo } from "../seed/demo";
import { DEMO_REPLYING_DOCTORS } from "../seed/demo-consultations";

const userIdOf = async (email: string) =>
  (await getDb().select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1))[0]!
    .id;

describe("demo seed", () => {
  test("creates clearly labelled demo accounts, ~300 doctors around real cities, reviews, and reply times from answered demo cases", async () => {
    const db = getDb();
    expect(await isSeeded(db)).toBe(false);
    await seedDemo(hashPassword);
    expect(await isSeeded(db)).toBe(true);

    const profiles = await db.select().from(doctorProfiles);
    expect(profiles).toHaveLength(300);
    expect(profiles.every((p) => p.isDemo && p.lat !== null && p.lng !== null)).toBe(true);
    const verified = profiles.filter((p) => p.status === "verified").length;
    expect(verified).toBeGreaterThan(200);
    expect(verified).toBeLessThan(300);
    expect(new Set(profiles.map((p) => p.country)).size).toBeGreaterThan(20);
    expect((await db.select().from(reviews)).length).toBeGreaterThan(300);
    const emails = await db.select({ email: users.email }).from(users);
    expect(emails.every((u) => u.email.endsWith(`@${DEMO_DOMAIN}`))).toBe(true);

    for (const account of Object.values(DEMO_ACCOUNTS)) {
      expect(await verifyLogin(account.email, account.password)).not.toBeNull();
    }
    const admin = (
      await db.select().from(users).where(eq(users.email, DEMO_ACCOUNTS.admin.email)).limit(1)
    )[0];
    expect(admin?.role).toBe("admin");

    // The demo logins that must use two-step login have it, on the published keys.
    for (const { email, totpSecret } of [DEMO_ACCOUNTS.admin, DEMO_ACCOUNTS.doctor]) {
      const user = (await db.select().from(users).where(eq(users.email, email)).limit(1))[0]!;
      expect(await secondFactorRequired(user)).toBe(true);
      expect(await hasSecondFactor(user.id)).toBe(true);
      expect(await checkTotp(user.id, await currentCode(totpSecret))).toBe(true);
    }
    const pending = (
      await db
        .select()
        .from(users)
        .where(eq(users.email, DEMO_ACCOUNTS.pendingDoctor.email))
        .limit(1)
    )[0]!;
    expect(await secondFactorRequired(pending)).toBe(false);

    // Demo doctors have real reply times, from answered demo consultations.
    const replying = profiles.filter(
      (p) => p.replyCount >= MIN_REPLIES_SHOWN && p.medianReplyMs !== null,
    );
    expect(replying.length).toBe(DEMO_REPLYING_DOCTORS);
    const answered = await db
      .select()
      .from(consultations)
      .where(isNotNull(consultations.answeredAt));
    expect(answered.length).toBe(replying.reduce((n, p) => n + p.replyCount, 0));
    for (const p of replying) {
      const replies = answered
        .filter((c) => c.doctorProfileId === p.id)
        .map((c) => c.answeredAt!.getTime() - c.requestedAt.getTime());
      expect(replies.every((ms) => ms > 0)).toBe(true);
      expect(p.medianReplyMs).toBe(median(replies));
    }
    expect(new Set(replying.map((p) => replyTimeLabel(p))).size).toBeGreaterThan(3);
    // The README's walk-through starts with empty case lists.
    const demoDoctorId = await userIdOf(DEMO_ACCOUNTS.doctor.email);
    const demoDoctor = profiles.find((p) => p.userId === demoDoctorId)!;
    expect(demoDoctor.replyCount).toBe(0);
    const demoPatient = await userIdOf(DEMO_ACCOUNTS.patient.email);
    expect(answered.some((c) => c.patientId === demoPatient)).toBe(false);
  }, 180_000);
});

describe("npm run admin:create", () => {
  const run = (args: string[], password: string) =>
    spawnSync(process.execPath, ["--import", "tsx", "seed/admin-create.ts", ...args], {
      env: { ...process.env, ADMIN_PASSWORD: password },
      encoding: "utf8",
    });

  test("creates an admin who can log in, and refuses a duplicate or a weak password", async () => {
    const created = run(["new.admin@example.test", "--name", "Root"], "a strong admin passphrase");
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    const user = await verifyLogin("new.admin@example.test", "a strong admin passphrase");
    expect(user?.role).toBe("admin");

    expect(run(["new.admin@example.test"], "another strong passphrase").status).toBe(1);
    const weak = run(["weak.admin@example.test"], "password");
    expect(weak.status).toBe(2);
    expect(weak.stderr).toMatch(/too easy to guess/);
  }, 120_000);
});
