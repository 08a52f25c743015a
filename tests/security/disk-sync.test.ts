import { getDb } from "#db/client";
import { hit } from "~/security/rate-limit.server";

const FULL = 2;
const synchronous = () => getDb().$client.pragma("synchronous", { simple: true });

describe("the connection keeps one durability setting", () => {
  test("counting rate-limit hits does not change the connection's synchronous = FULL", () => {
    expect(synchronous()).toBe(FULL);
    expect(hit("test", "k", 2).allowed).toBe(true);
    expect(hit("test", "k", 2).allowed).toBe(true);
    expect(hit("test", "k", 2).allowed).toBe(false);
    expect(synchronous()).toBe(FULL);
  });
});
