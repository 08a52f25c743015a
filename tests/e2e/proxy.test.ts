import Database from "better-sqlite3";
import { startAppServer, type AppServer } from "../../scripts/lib/app-server";
import { baseUrl } from "./browser";

// A second server, told that the test itself (on the loopback) is the one reverse proxy.
let behindProxy: AppServer;

beforeAll(async () => {
  behindProxy = await startAppServer({ TRUST_PROXY: "127.0.0.1,::1" });
});
afterAll(async () => {
  await behindProxy?.stop();
});

const failedLogin = (url: string, headers: Record<string, string>) =>
  fetch(`${url}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams({ email: "nobody@example.test", password: "wrong password" }),
  });

describe("behind a reverse proxy", () => {
  test("HSTS is sent when the trusted proxy says the request came over TLS, and only then", async () => {
    const overTls = await fetch(`${behindProxy.baseUrl}/healthz`, {
      headers: { "X-Forwarded-Proto": "https" },
    });
    expect(overTls.headers.get("Strict-Transport-Security")).toMatch(/max-age=\d{8}/);
    const plain = await fetch(`${behindProxy.baseUrl}/healthz`);
    expect(plain.headers.get("Strict-Transport-Security")).toBeNull();
  });

  test("without a trusted proxy, a client's own X-Forwarded-Proto earns no HSTS", async () => {
    const response = await fetch(`${baseUrl()}/healthz`, {
      headers: { "X-Forwarded-Proto": "https" },
    });
    expect(response.headers.get("Strict-Transport-Security")).toBeNull();
  });

  test("the audited address is the one the proxy appended, not the client's forged one", async () => {
    const response = await failedLogin(behindProxy.baseUrl, {
      "X-Forwarded-For": "6.6.6.6, 198.51.100.20",
    });
    expect(response.status).toBe(401);
    const db = new Database(behindProxy.env.DATABASE_URL!, { readonly: true });
    const row = db
      .prepare("select ip from audit_log where action = 'login' order by id desc limit 1")
      .get() as { ip: string };
    db.close();
    expect(row.ip).toBe("198.51.100.20");
  });
});
