import { baseUrl } from "./browser";

// The production server's cache of anonymous pages (docs/decisions/040-anonymous-page-cache.md).
const nonceOf = (response: Response) =>
  /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy") ?? "")?.[1];

describe("anonymous pages served from the short-lived cache", () => {
  // Three requests within PAGE_CACHE_SECONDS: the second and third are answered from the
  // cache, and must still be complete pages whose nonce is theirs alone.
  test("a repeated page is the same page with its own fresh nonce and request id", async () => {
    const url = `${baseUrl()}/doctors?lat=43.6&lng=1.44&page-cache-test=${Date.now()}`;
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      answers.push({ response, body: await response.text() });
    }
    const nonces = answers.map((a) => nonceOf(a.response));
    expect(new Set(nonces).size).toBe(3);
    for (const [i, { body }] of answers.entries()) {
      expect(body).toContain(`nonce="${nonces[i]}"`);
      for (const other of nonces.filter((n) => n !== nonces[i])) expect(body).not.toContain(other);
    }
    const withoutNonce = answers.map((a, i) => a.body.replaceAll(nonces[i]!, "NONCE"));
    expect(withoutNonce[1]).toBe(withoutNonce[0]);
    expect(withoutNonce[2]).toBe(withoutNonce[0]);
    const ids = answers.map((a) => a.response.headers.get("X-Request-Id"));
    expect(new Set(ids).size).toBe(3);
  });
});
