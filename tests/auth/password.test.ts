import { verifyLogin } from "~/auth/accounts.server";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "~/auth/password.server";
import { makeUser } from "../helpers";

describe("password hashing", () => {
  test("a hash verifies its own password and nothing else", async () => {
    const stored = await hashPassword("a long passphrase");
    expect(stored).toMatch(/^scrypt\$10\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword("a long passphrase", stored)).toBe(true);
    expect(await verifyPassword("a long passphrasE", stored)).toBe(false);
  });

  test("two hashes of one password differ (random salt)", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  test("a malformed stored hash is refused rather than thrown", async () => {
    expect(await verifyPassword("x", "md5$abc")).toBe(false);
  });
});

describe("login timing", () => {
  /**
   * The fastest of a path's runs: other work on the machine only ever adds time, so the minimum
   * is the path's own cost (a median of millisecond runs moves with the neighbours' load).
   */
  const fastest = (times: number[]) => Math.min(...times);
  const timed = async (fn: () => Promise<unknown>) => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };

  test("an unknown account takes as long as a known one with a wrong password", async () => {
    const user = await makeUser("patient");
    // Warm up both paths (the dummy hash is made on first use).
    await verifyLogin("nobody-at-all@example.test", "wrong password");
    await verifyLogin(user.email, "wrong password");
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 15; i++) {
      unknown.push(await timed(() => verifyLogin(`nobody-${i}@example.test`, "wrong password")));
      known.push(await timed(() => verifyLogin(user.email, "wrong password")));
    }
    const ratio = fastest(unknown) / fastest(known);
    // Without the dummy hash an unknown account answers in a small fraction of the time.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  test("both answers are the same: no account", async () => {
    const user = await makeUser("patient");
    expect(await verifyLogin("nobody-else@example.test", "x")).toBeNull();
    expect(await verifyLogin(user.email, "x")).toBeNull();
    expect(await verifyAgainstDummy("anything")).toBe(false);
  });
});
