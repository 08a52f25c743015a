import http from "node:http";
import zlib from "node:zlib";
import { baseUrl } from "./browser";

// The production server's cache of anonymous pages (docs/decisions/040-anonymous-page-cache.md).
const nonceOf = (response: Response) =>
  /'nonce-([^']+)'/.exec(response.headers.get("Content-Security-Policy") ?? "")?.[1];

/** A GET with exactly this Accept-Encoding (fetch picks its own), the body as sent. */
function rawGet(url: string, acceptEncoding: string) {
  return new Promise<{ encoding: string | undefined; vary: string | undefined; body: Buffer }>(
    (resolve, reject) => {
      http
        .get(url, { headers: { "Accept-Encoding": acceptEncoding } }, (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              encoding: response.headers["content-encoding"],
              vary: response.headers.vary,
              body: Buffer.concat(chunks),
            }),
          );
        })
        .on("error", reject);
    },
  );
}

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

  // Reused answers are compressed by the server itself: brotli when accepted, else gzip,
  // else none, and each decodes to the same page as the one rendered.
  test("a reused page is sent compressed as the browser accepts it, and decodes to the page", async () => {
    const url = `${baseUrl()}/doctors?lat=48.85&lng=2.35&page-cache-encoding=${Date.now()}`;
    const rendered = await rawGet(url, "identity");
    const pages = {
      br: await rawGet(url, "gzip, deflate, br"),
      gzip: await rawGet(url, "gzip"),
      identity: await rawGet(url, "identity"),
    };
    expect(pages.br.encoding).toBe("br");
    expect(pages.gzip.encoding).toBe("gzip");
    expect(pages.identity.encoding).toBeUndefined();
    for (const page of Object.values(pages)) expect(page.vary).toMatch(/accept-encoding/i);
    const decoded = [
      zlib.brotliDecompressSync(pages.br.body).toString("utf8"),
      zlib.gunzipSync(pages.gzip.body).toString("utf8"),
      pages.identity.body.toString("utf8"),
    ];
    const page = (html: string) => html.replace(/nonce="[^"]+"/g, 'nonce=""');
    expect(decoded[0]).toContain("</html>");
    for (const html of decoded) expect(page(html)).toBe(page(rendered.body.toString("utf8")));
  });
});
