import { hit, reset } from "~/security/rate-limit.server";

describe("database rate limits", () => {
  const t0 = 1_800_000_000_000 - (1_800_000_000_000 % (15 * 60_000));

  test("allows the limit, refuses the next, and says when to retry", async () => {
    for (let i = 0; i < 3; i++) expect((await hit("test", "a", 3, t0 + i)).allowed).toBe(true);
    const refused = await hit("test", "a", 3, t0 + 60_000);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBe(14 * 60);
  });

  test("a new window starts counting again", async () => {
    for (let i = 0; i < 4; i++) await hit("test", "b", 3, t0);
    expect((await hit("test", "b", 3, t0 + 15 * 60_000)).allowed).toBe(true);
  });

  test("keys and buckets are counted separately; reset forgets a key", async () => {
    for (let i = 0; i < 4; i++) await hit("test", "c", 3, t0);
    expect((await hit("test", "d", 3, t0)).allowed).toBe(true);
    expect((await hit("other", "c", 3, t0)).allowed).toBe(true);
    await reset("test", "c");
    expect((await hit("test", "c", 3, t0)).allowed).toBe(true);
  });
});
