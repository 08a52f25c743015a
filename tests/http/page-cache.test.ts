import { PageCache, pageCacheSeconds } from "~/http/page-cache.server";

const page = (nonce: string, init: { status?: number; headers?: Record<string, string> } = {}) =>
  new Response(
    `<script nonce="${nonce}">1</script><p>same</p><script nonce="${nonce}">2</script>`,
    {
      status: init.status ?? 200,
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": `script-src 'nonce-${nonce}' 'strict-dynamic'`,
        ...init.headers,
      },
    },
  );

const noHeaders = () => undefined;

function cacheAt(start = 1_000) {
  const clock = { now: start };
  const cache = new PageCache({ ttlMs: 2_000, now: () => clock.now, maxBytes: 10_000 });
  return { cache, clock };
}

describe("the anonymous page cache", () => {
  test("only a GET without a cookie or credentials is looked up, and none when it is off", () => {
    const { cache } = cacheAt();
    expect(cache.keyOf("GET", "/doctors?lat=1&lng=2", noHeaders)).toBe("/doctors?lat=1&lng=2");
    expect(cache.keyOf("HEAD", "/", noHeaders)).toBeNull();
    expect(cache.keyOf("POST", "/", noHeaders)).toBeNull();
    expect(cache.keyOf("GET", "/", (n) => (n === "cookie" ? "__session=x" : undefined))).toBeNull();
    expect(
      cache.keyOf("GET", "/", (n) => (n === "authorization" ? "Basic x" : undefined)),
    ).toBeNull();
    expect(new PageCache({ ttlMs: 0 }).keyOf("GET", "/", noHeaders)).toBeNull();
  });

  test("a hit is the same page with a fresh nonce in the header and the body", async () => {
    const { cache } = cacheAt();
    const first = await cache.store("/", page("AAAAAAAAAAAAAAAAAAAAAA=="), cache.mark());
    expect(first!.body).toContain('nonce="AAAAAAAAAAAAAAAAAAAAAA=="');
    const hit = cache.lookup("/")!;
    const again = cache.lookup("/")!;
    const nonceOf = (answer: typeof hit) =>
      /'nonce-([^']+)'/.exec(new Map(answer.headers).get("content-security-policy")!)![1]!;
    expect(nonceOf(hit)).not.toBe("AAAAAAAAAAAAAAAAAAAAAA==");
    expect(nonceOf(hit)).not.toBe(nonceOf(again));
    expect(hit.body).not.toContain("AAAAAAAAAAAAAAAAAAAAAA==");
    expect(hit.body.split(`nonce="${nonceOf(hit)}"`)).toHaveLength(3);
    expect(hit.body.replaceAll(nonceOf(hit), "N")).toBe(
      first!.body.replaceAll("AAAAAAAAAAAAAAAAAAAAAA==", "N"),
    );
    expect(hit.status).toBe(200);
    expect(new Map(hit.headers).get("content-type")).toBe("text/html; charset=utf-8");
  });

  test("an answer expires after the time to live", async () => {
    const { cache, clock } = cacheAt();
    await cache.store("/", page("n1"), cache.mark());
    clock.now += 1_999;
    expect(cache.lookup("/")).not.toBeNull();
    clock.now += 1;
    expect(cache.lookup("/")).toBeNull();
    expect(cache.size).toBe(0);
  });

  test("a write empties the cache, and a page rendered across a write is sent but not kept", async () => {
    const { cache } = cacheAt();
    expect(cache.isWrite("POST")).toBe(true);
    expect(cache.isWrite("DELETE")).toBe(true);
    expect(cache.isWrite("GET")).toBe(false);
    await cache.store("/", page("n1"), cache.mark());
    cache.invalidate();
    expect(cache.lookup("/")).toBeNull();

    const mark = cache.mark();
    cache.invalidate(); // a write started while the page was rendering
    const sent = await cache.store("/", page("n2"), mark);
    expect(sent!.body).toContain("n2");
    expect(cache.lookup("/")).toBeNull();
  });

  test("personal or uncacheable answers are not kept (the caller sends them as they are)", async () => {
    const { cache } = cacheAt();
    const refused = [
      page("n", { status: 302, headers: { Location: "/login" } }),
      page("n", { status: 404 }),
      page("n", { headers: { "Set-Cookie": "__session=abc" } }),
      page("n", { headers: { "Cache-Control": "private, no-store" } }),
      page("n", { headers: { "Cache-Control": "no-cache" } }),
      page("n", { headers: { Vary: "Accept-Encoding, Cookie" } }),
      page("n", { headers: { "Content-Type": "image/png" } }),
    ];
    for (const response of refused) {
      expect(await cache.store("/x", response, cache.mark())).toBeNull();
      expect(response.bodyUsed).toBe(false);
    }
    expect(cache.size).toBe(0);
    expect(
      await cache.store("/x", page("n", { headers: { Vary: "Accept-Encoding" } }), cache.mark()),
    ).not.toBeNull();
    expect(cache.size).toBe(1);
  });

  test("holds a bounded number of bytes, evicting the oldest first", async () => {
    const { cache } = cacheAt();
    const big = (n: string) =>
      new Response("x".repeat(2_000) + n, { headers: { "Content-Type": "text/plain" } });
    for (const n of ["a", "b", "c"]) await cache.store(`/${n}`, big(n), cache.mark());
    // 3 × ~4,000 bytes > 10,000: the first one went.
    expect(cache.lookup("/a")).toBeNull();
    expect(cache.lookup("/b")!.body.endsWith("b")).toBe(true);
    expect(cache.lookup("/c")!.body.endsWith("c")).toBe(true);
    const tooLarge = new Response("y".repeat(6_000), { headers: { "Content-Type": "text/html" } });
    const sent = await new PageCache({ ttlMs: 1_000, maxEntryBytes: 10_000 }).store(
      "/y",
      tooLarge,
      0,
    );
    expect(sent!.body).toHaveLength(6_000);
  });

  test("PAGE_CACHE_SECONDS: 2 by default, 0 turns it off, anything else is refused clearly", () => {
    expect(pageCacheSeconds(undefined)).toBe(2);
    expect(pageCacheSeconds("")).toBe(2);
    expect(pageCacheSeconds("0")).toBe(0);
    expect(pageCacheSeconds("0.5")).toBe(0.5);
    for (const bad of ["-1", "abc", "61", "Infinity"]) {
      expect(() => pageCacheSeconds(bad)).toThrow(/PAGE_CACHE_SECONDS must be a number of seconds/);
    }
  });
});
