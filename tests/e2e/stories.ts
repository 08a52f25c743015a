import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { users } from "#db/schema";
import { inTransaction } from "~/data/unit-of-work.server";
import { getImageStore } from "~/uploads/storage.server";
import { makeUser } from "../helpers";
import type { Session } from "./browser";

/** The steps the browser stories share: accounts, generated files and an upload. */

/** An address no other test uses. */
export const uniqueEmail = (label: string) =>
  `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.test`;

/**
 * Full-page screenshots of `page` at a phone's and a desktop's width, into the folder named by
 * E2E_SCREENSHOTS (nothing when it is unset); the page is left at the desktop width.
 */
export async function screenshots(page: Page, name: string) {
  const folder = process.env.E2E_SCREENSHOTS;
  if (!folder) return;
  fs.mkdirSync(folder, { recursive: true });
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(folder, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A temporary folder for the test file's generated images, removed after its tests. */
export function scratchFolder(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hemalink-${name}-`));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * What the server's image store holds, by key (complete and pending files): the folders under
 * DATA_DIR/images, or the objects in the bucket on the Postgres + S3 pass.
 */
export async function storedImages(): Promise<Map<string, number>> {
  const listed = await getImageStore().list();
  return new Map(listed.map((entry) => [entry.key, entry.complete.length + entry.pending.length]));
}

/** Gives a test account the name its story shows. */
export async function rename(userId: string, displayName: string) {
  await inTransaction(({ tx }) =>
    tx.update(users).set({ displayName }).where(eq(users.id, userId)),
  );
}

/** A new patient called `name`, signed in to a fresh browser profile. */
export async function namedPatient(session: (email: string) => Promise<Session>, name: string) {
  const user = await makeUser("patient");
  await rename(user.id, name);
  return { ...user, name, s: await session(user.email) };
}

/** Registers through the form; the page lands on the dashboard. */
export async function registerThroughForm(
  page: Page,
  account: { name: string; email: string; password: string },
) {
  await page.goto("/register");
  await page.getByLabel("Name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/dashboard");
}

/** Uploads `file` through the form and waits for its result page; the analysis id. */
export async function uploadThroughForm(page: Page, file: string) {
  await page.goto("/analyses/new");
  await page.getByLabel("Smear image").setInputFiles(file);
  await page.getByRole("button", { name: "Upload and analyse" }).click();
  await page.waitForURL(/\/analyses\/[\w-]{36}$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

/** The server may hold the write lock a moment (it has just saved an upload): try again. */
export async function whileBusy(write: () => Promise<void>) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if ((error as { code?: string }).code !== "SQLITE_BUSY" || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
