import { hashPassword, verifyAgainstDummy, verifyPassword } from "~/auth/password.server";

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

  test("unknown accounts still pay for a hash", async () => {
    expect(await verifyAgainstDummy("anything")).toBe(false);
  });
});
