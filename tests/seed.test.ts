import { spawnSync } from "node:child_process";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles, reviews, users } from "#db/schema";
import { verifyLogin } from "~/auth/accounts.server";
import { hashPassword } from "~/auth/password.server";
import {
  checkTotp,
  currentCode,
  hasSecondFactor,
  secondFactorRequired,
} from "~/auth/second-factor.server";
import { DEMO_ACCOUNTS, DEMO_DOMAIN, isSeeded, seedDemo } from "../seed/demo";

describe("demo seed", () => {
  test("creates clearly labelled demo accounts, ~300 doctors around real cities, and reviews", async () => {
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
  });
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
  });
});
