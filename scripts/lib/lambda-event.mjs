/** API Gateway HTTP API (payload 2.0) events, as Lambda hands them to the HTTP function. */
import crypto from "node:crypto";

/**
 * @param {string} method
 * @param {string} url
 * @param {{ headers?: Record<string, string>, cookies?: string[], body?: Buffer }} [options]
 */
export function httpEvent(method, url, options = {}) {
  const { pathname, search } = new URL(url, "http://localhost");
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: pathname,
    rawQueryString: search.slice(1),
    cookies: options.cookies,
    headers: { host: "localhost", "user-agent": "bench-coldstart", ...options.headers },
    requestContext: {
      accountId: "offline",
      apiId: "offline",
      domainName: "localhost",
      domainPrefix: "localhost",
      requestId: crypto.randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
      http: {
        method,
        path: pathname,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: "bench-coldstart",
      },
    },
    body: options.body?.toString("base64"),
    isBase64Encoded: Boolean(options.body),
  };
}

/** A multipart upload of one smear, as the upload form sends it. */
/** @param {Buffer} bytes @param {string} cookie */
export async function uploadEvent(bytes, cookie) {
  const form = new FormData();
  form.set("smear", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "smear.jpg");
  const request = new Request("http://localhost/api/analyses", { method: "POST", body: form });
  const body = Buffer.from(await request.arrayBuffer());
  return httpEvent("POST", "/api/analyses", {
    headers: {
      "content-type": request.headers.get("content-type") ?? "",
      accept: "application/json",
    },
    cookies: [cookie],
    body,
  });
}
