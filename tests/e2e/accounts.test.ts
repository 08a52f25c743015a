import { DEMO_ACCOUNTS } from "../../seed/demo";
import { createUserSession } from "~/auth/session.server";
import { baseUrl, browserSessions, sessionPerTest, signIn, userIdByEmail } from "./browser";
import { registerThroughForm, uniqueEmail } from "./stories";

const sessions = browserSessions();
const session = sessionPerTest(undefined, sessions);

describe("accounts", () => {
  test("a new patient registers, lands on the dashboard, logs out and logs back in", async () => {
    const { page } = session;
    const email = uniqueEmail("patient");
    await registerThroughForm(page, {
      name: "Pat Example",
      email,
      password: "my own long passphrase",
    });
    // The URL changes before the new page has rendered: wait for its heading.
    await page.getByRole("heading", { level: 1, name: "Welcome, Pat Example" }).waitFor();

    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(`${baseUrl()}/`);
    await page.getByRole("link", { name: "Log in" }).first().click();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("my own long passphrase");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL("**/dashboard");
  });

  test("registration works without JavaScript, and shows field errors from the server", async () => {
    const { page } = await sessions(undefined, { javaScript: false });
    await page.goto("/register");
    await page.getByLabel("Name").fill("No Script");
    await page.getByLabel("Email").fill(uniqueEmail("nojs"));
    await page.getByLabel("Password").fill("password1");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText(/This password is too easy to guess/).waitFor();
    await page.getByLabel("Password").fill("a much better passphrase");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL("**/dashboard");
  });

  test("a doctor registers and awaits verification; the admin sees them in the queue", async () => {
    const { page, context } = session;
    const email = uniqueEmail("doctor");
    await page.goto("/register");
    await page.getByLabel("Name").fill("Dr Queue Test");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("hematology passphrase");
    await page.getByLabel("I am a hematologist").check();
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL("**/doctor");
    await page.getByText("Awaiting verification").waitFor();

    await context.clearCookies();
    await signIn(context, DEMO_ACCOUNTS.admin.email);
    await page.goto("/admin");
    await page.getByRole("cell", { name: email }).waitFor();
  });

  test("a wrong password and an unknown email get the same answer; the 6th try gets 429", async () => {
    const { page } = session;
    const attempt = async (email: string) => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("definitely wrong");
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.getByRole("button", { name: "Log in" }).click(),
      ]);
      const message = await page.getByRole("alert").textContent();
      return { status: response.status(), message };
    };
    const wrongPassword = await attempt(DEMO_ACCOUNTS.patient.email);
    const unknownEmail = await attempt(uniqueEmail("nobody"));
    expect(wrongPassword.message).toBe("Email or password is incorrect.");
    expect(unknownEmail).toEqual(wrongPassword);

    const target = DEMO_ACCOUNTS.pendingDoctor.email;
    for (let i = 1; i <= 5; i++) expect((await attempt(target)).message).toMatch(/incorrect/);
    const sixth = await attempt(target);
    expect(sixth.status).toBe(429);
    expect(sixth.message).toMatch(/Too many attempts/);
  });

  test("a patient gets 404 on /admin; an anonymous visitor is sent to /login", async () => {
    const { page, context } = session;
    const anonymous = await page.goto("/admin");
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(anonymous?.status()).toBe(200);

    await signIn(context, DEMO_ACCOUNTS.patient.email);
    const response = await page.goto("/admin");
    expect(response?.status()).toBe(404);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
  });

  test("an expired or logged-out session no longer works", async () => {
    const { page, context } = session;
    await signIn(context, DEMO_ACCOUNTS.patient.email, new Date(Date.now() - 31 * 60_000));
    await page.goto("/dashboard");
    expect(new URL(page.url()).pathname).toBe("/login");

    await context.clearCookies();
    await signIn(context, DEMO_ACCOUNTS.patient.email);
    await page.goto("/dashboard");
    const cookies = await context.cookies();
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(`${baseUrl()}/`);
    await context.addCookies(cookies);
    await page.goto("/dashboard");
    expect(new URL(page.url()).pathname).toBe("/login");
  });
});

describe("security headers", () => {
  test("private pages, their data and the analyses API are not stored by any cache; public pages may be", async () => {
    const setCookie = await createUserSession(await userIdByEmail(DEMO_ACCOUNTS.patient.email));
    const cookie = setCookie.split(";")[0]!;
    for (const path of ["/dashboard", "/dashboard.data", "/api/analyses", "/doctors"]) {
      const response = await fetch(`${baseUrl()}${path}`, { headers: { Cookie: cookie } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get("Cache-Control"), path).toBe("private, no-store");
    }
    const anonymous = await fetch(`${baseUrl()}/about/model`);
    expect(anonymous.headers.get("Cache-Control") ?? "").not.toMatch(/private/);
  });

  test("a POST with a foreign Origin gets 403", async () => {
    const response = await fetch(`${baseUrl()}/login`, {
      method: "POST",
      headers: {
        Origin: "https://evil.example",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: "email=a%40b.test&password=whatever",
    });
    expect(response.status).toBe(403);
  });

  test("the CSP nonce matches every script on the page", async () => {
    const { page } = session;
    const response = await page.goto("/login");
    const headers = response!.headers();
    const csp = headers["content-security-policy"];
    expect(csp).toMatch(/object-src 'none'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/base-uri 'none'/);
    expect(csp).toMatch(/'wasm-unsafe-eval'/);
    expect(headers["x-content-type-options"]).toBe("nosniff");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const html = await response!.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    // The page hydrated: the form is submitted by the app (a data request, no page load) and
    // the server's validation message is shown in place.
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("some password");
    const [submitted] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Log in" }).click(),
    ]);
    expect(new URL(submitted.url()).pathname).toBe("/login.data");
    await page.getByText("Enter a valid email address").waitFor();
  });
});
