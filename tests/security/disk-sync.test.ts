import { getWriter } from "#db/client";
import { hit } from "~/security/rate-limit.server";

const FULL = 2;
// The writer commits every row; the read-only reader never writes, so its setting is moot.
const synchronous = () => getWriter().$client.pragma("synchronous", { simple: true });

describe("the writer connection keeps one durability setting", () => {
  test("counting rate-limit hits does not change the connection's synchronous = FULL", async () => {
    expect(synchronous()).toBe(FULL);
    expect((await hit("test", "k", 2)).allowed).toBe(true);
    expect((await hit("test", "k", 2)).allowed).toBe(true);
    expect((await hit("test", "k", 2)).allowed).toBe(false);
    expect(synchronous()).toBe(FULL);
  });
});
