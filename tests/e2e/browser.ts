import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { users } from "#db/schema";
import { createUserSession } from "~/auth/session.server";

export const baseUrl = () => process.env.E2E_BASE_URL!;

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
}

export type Session = { context: BrowserContext; page: Page; errors: string[] };

/** A fresh browser profile; uncaught page errors are collected so tests can assert none. */
export async function openSession(
  browser: Browser,
  javaScriptEnabled = true,
  locale?: string,
): Promise<Session> {
  const context = await browser.newContext({ baseURL: baseUrl(), javaScriptEnabled, locale });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return { context, page, errors };
}

export async function userIdByEmail(email: string): Promise<string> {
  const row = (
    await getDb().select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1)
  )[0];
  if (!row) throw new Error(`No user ${email}`);
  return row.id;
}

/** The login fixture: insert a session row and hand its cookie to the browser. */
export async function signIn(context: BrowserContext, email: string, at?: Date) {
  const setCookie = await createUserSession(await userIdByEmail(email), at);
  const [pair] = setCookie.split(";");
  const [name, ...value] = pair.split("=");
  await context.addCookies([{ name, value: value.join("="), url: baseUrl() }]);
}

/**
 * One browser for the test file, and a fresh signed-in (or anonymous) profile per call, closed
 * after each test, which then asserts that no page threw.
 */
export function browserSessions() {
  let browser: Browser;
  const sessions: Session[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const s of sessions.splice(0)) {
      await s.context.close();
      expect(s.errors).toEqual([]);
    }
  });
  return async function session(
    email?: string,
    options: {
      javaScript?: boolean;
      viewport?: { width: number; height: number };
      geolocation?: { latitude: number; longitude: number };
      locale?: string;
    } = {},
  ): Promise<Session> {
    const s = await openSession(browser, options.javaScript ?? true, options.locale);
    sessions.push(s);
    if (options.viewport) await s.page.setViewportSize(options.viewport);
    if (options.geolocation) {
      await s.context.grantPermissions(["geolocation"]);
      await s.context.setGeolocation(options.geolocation);
    }
    if (email) await signIn(s.context, email);
    return s;
  };
}

/**
 * One browser for the test file and one fresh profile per test (signed in as `email` when
 * given), closed after each test, which then asserts that no page threw. The object returned
 * is refilled before every test; pass the file's `browserSessions()` to open more profiles
 * in the same browser.
 */
export function sessionPerTest(email?: string, session = browserSessions()): Session {
  const current = {} as Session;
  beforeEach(async () => {
    Object.assign(current, await session(email));
  });
  return current;
}
