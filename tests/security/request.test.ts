import { safeRedirect } from "~/auth/guards.server";
import { isCrossSiteRequest } from "~/security/request.server";

const headers = (values: Record<string, string>) => (name: string) => values[name] ?? null;

describe("cross-site request check", () => {
  test("reads are never refused", () => {
    expect(isCrossSiteRequest("GET", headers({ origin: "https://evil.example" }))).toBe(false);
  });

  test("a POST from the same origin passes", () => {
    const h = headers({ origin: "http://localhost:3000", host: "localhost:3000" });
    expect(isCrossSiteRequest("POST", h)).toBe(false);
  });

  test.each([
    [{ origin: "https://evil.example", host: "localhost:3000" }],
    [{ origin: "null", host: "localhost:3000" }],
    [{ "sec-fetch-site": "cross-site", host: "localhost:3000" }],
    [{ "sec-fetch-site": "same-site", origin: "http://localhost:3000", host: "localhost:3000" }],
    [{ origin: "not a url", host: "localhost:3000" }],
  ])("a POST with %o is refused", (values) => {
    expect(isCrossSiteRequest("POST", headers(values))).toBe(true);
  });

  test("a spoofed X-Forwarded-Host is ignored unless the proxy is trusted", () => {
    const h = headers({
      origin: "https://evil.example",
      host: "localhost:3000",
      "x-forwarded-host": "evil.example",
    });
    expect(isCrossSiteRequest("POST", h)).toBe(true);
  });
});

describe("safeRedirect", () => {
  test.each([
    ["/dashboard", "/dashboard"],
    ["/analyses?page=2", "/analyses?page=2"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example", "/"],
    ["", "/"],
    [null, "/"],
  ])("%s → %s", (input, expected) => {
    expect(safeRedirect(input)).toBe(expected);
  });
});
