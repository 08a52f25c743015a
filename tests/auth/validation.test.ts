import { LoginSchema, RegisterSchema } from "~/auth/validation";

describe("registration rules", () => {
  const valid = { name: "Ada", email: "Ada@Example.org", password: "a fine passphrase" };

  test("emails are trimmed and lower-cased", () => {
    const result = RegisterSchema.parse({ ...valid, email: "  Ada@Example.ORG " });
    expect(result.email).toBe("ada@example.org");
  });

  test.each([
    ["too short", "short7!", "Use at least 8 characters"],
    ["too long", "x".repeat(129), "Use at most 128 characters"],
  ])("a %s password is refused with a clear message", (_, password, message) => {
    const result = RegisterSchema.safeParse({ ...valid, password });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0].message).toBe(message);
  });

  test("64-character passphrases are allowed", () => {
    expect(RegisterSchema.safeParse({ ...valid, password: "p".repeat(64) }).success).toBe(true);
  });

  test("an invalid email is refused", () => {
    const result = LoginSchema.safeParse({ email: "not-an-email", password: "x" });
    expect(result.error?.issues[0].message).toBe("Enter a valid email address");
  });
});
