import { getDb, withoutDiskSync } from "#db/client";
import { hit } from "~/security/rate-limit.server";

const FULL = 2;
const synchronous = () => getDb().$client.pragma("synchronous", { simple: true });

describe("rate-limit counters skip the disk sync, nothing else does", () => {
  test("a counted hit leaves the connection at synchronous = FULL", () => {
    expect(synchronous()).toBe(FULL);
    expect(hit("test", "k", 2).allowed).toBe(true);
    expect(hit("test", "k", 2).allowed).toBe(true);
    expect(hit("test", "k", 2).allowed).toBe(false);
    expect(synchronous()).toBe(FULL);
  });

  test("FULL is restored even when the write throws", () => {
    expect(() =>
      withoutDiskSync(getDb(), () => {
        expect(synchronous()).toBe(1);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(synchronous()).toBe(FULL);
  });
});
