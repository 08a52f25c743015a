import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import type { Browser } from "playwright-core";
import { getDb } from "#db/client";
import { analyses } from "#db/schema";
import { seriousA11yViolations } from "./axe";
import { launchBrowser, openSession, type Session } from "./browser";
import { assessableSmear } from "../uploads/assessable";

let browser: Browser;
let session: Session;
const files = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-account-"));

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(files, { recursive: true, force: true });
});
beforeEach(async () => {
  session = await openSession(browser);
});
afterEach(async () => {
  await session.context.close();
  expect(session.errors).toEqual([]);
});

const uniqueEmail = () =>
  `data-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.test`;
const PASSWORD = "my data my choice passphrase";

/** Register through the form and analyse one smear through the upload form; its id. */
async function patientWithAnalysis({ page }: Session, name: string, email: string) {
  await page.goto("/register");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/dashboard");
  const smear = path.join(files, `${name.replaceAll(" ", "-")}.jpg`);
  fs.writeFileSync(smear, (await assessableSmear(5, 448, "jpeg")).bytes);
  await page.goto("/analyses/new");
  await page.getByLabel("Smear image").setInputFiles(smear);
  await page.getByRole("button", { name: "Upload and analyse" }).click();
  await page.waitForURL(/\/analyses\/[\w-]{36}$/);
  return new URL(page.url()).pathname.split("/").pop()!;
}

const imageKeyOf = async (id: string) =>
  (
    await getDb()
      .select({ key: analyses.imageKey })
      .from(analyses)
      .where(eq(analyses.id, id))
      .limit(1)
  )[0]!.key;
const imageFolder = (key: string) =>
  path.join(process.env.DATA_DIR!, "images", key.slice(0, 2), key);

describe("a patient's data rights", () => {
  test("the download holds my analysis and its image, and none of another patient's", async () => {
    const other = await openSession(browser);
    const theirs = await patientWithAnalysis(other, "Other Patient", uniqueEmail());
    await other.context.close();

    const { page } = session;
    const mine = await patientWithAnalysis(session, "Data Owner", uniqueEmail());
    await page.goto("/dashboard");
    await page
      .getByRole("link", { name: "Your data: download it, or delete your account" })
      .click();
    await page.getByRole("heading", { level: 1, name: "Your data" }).waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download my data" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^hemalink-my-data-\d{4}-\d\d-\d\d\.zip$/);
    const zip = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
    const bundle = strFromU8(zip["hemalink.fhir.json"]!);
    expect(
      JSON.parse(bundle).entry.some((e: { resource: { id: string } }) => e.resource.id === mine),
    ).toBe(true);
    expect(zip[`images/${mine}/original.jpg`]!.length).toBeGreaterThan(1000);
    expect(Object.keys(zip).join()).not.toContain(theirs);
    expect(bundle).not.toContain(theirs);
    expect(bundle).not.toContain("Other Patient");
  });

  test("deleting my account asks for my password, removes my files and rows, and the login then fails", async () => {
    const { page } = session;
    const email = uniqueEmail();
    const id = await patientWithAnalysis(session, "Leaving Patient", email);
    const key = await imageKeyOf(id);
    expect(fs.existsSync(imageFolder(key))).toBe(true);

    await page.goto("/account/data");
    await page.getByLabel("Your password").fill("not the password at all");
    await page.getByLabel("I understand that my account and data are deleted for good").check();
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.getByText("That is not your password.").waitFor();
    expect(
      (await getDb().select().from(analyses).where(eq(analyses.id, id)).limit(1))[0],
    ).toBeDefined();

    await page.getByLabel("Your password").fill(PASSWORD);
    await page.getByLabel("I understand that my account and data are deleted for good").check();
    await page.getByRole("button", { name: "Delete my account" }).click();
    await page.getByRole("heading", { name: "Your account was deleted" }).waitFor();
    expect(
      (await getDb().select().from(analyses).where(eq(analyses.id, id)).limit(1))[0],
    ).toBeUndefined();
    expect(fs.existsSync(imageFolder(key))).toBe(false);
    // Signed out here; the old address now leads to the login page.
    await page.goto(`/analyses/${id}`);
    await page.waitForURL(/\/login/);

    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByText("Email or password is incorrect.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
  });
});
