import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { getDb } from "#db/client";
import { analyses } from "#db/schema";
import { seriousA11yViolations } from "./axe";
import { browserSessions, sessionPerTest, type Session } from "./browser";
import {
  registerThroughForm,
  scratchFolder,
  storedImages,
  uniqueEmail,
  uploadThroughForm,
} from "./stories";
import { assessableSmear } from "../uploads/assessable";

const sessions = browserSessions();
const session = sessionPerTest(undefined, sessions);
const files = scratchFolder("account");
const PASSWORD = "my data my choice passphrase";

/** Register through the form and analyse one smear through the upload form; its id. */
async function patientWithAnalysis({ page }: Session, name: string, email: string) {
  await registerThroughForm(page, { name, email, password: PASSWORD });
  const smear = path.join(files, `${name.replaceAll(" ", "-")}.jpg`);
  fs.writeFileSync(smear, (await assessableSmear(5, 448, "jpeg")).bytes);
  return uploadThroughForm(page, smear);
}

const imageKeyOf = async (id: string) =>
  (
    await getDb()
      .select({ key: analyses.imageKey })
      .from(analyses)
      .where(eq(analyses.id, id))
      .limit(1)
  )[0]!.key;
const isStored = async (key: string) => (await storedImages()).has(key);

describe("a patient's data rights", () => {
  test("the download holds my analysis and its image, and none of another patient's", async () => {
    const other = await sessions();
    const theirs = await patientWithAnalysis(other, "Other Patient", uniqueEmail("data"));
    await other.context.close();

    const { page } = session;
    const mine = await patientWithAnalysis(session, "Data Owner", uniqueEmail("data"));
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
    const email = uniqueEmail("data");
    const id = await patientWithAnalysis(session, "Leaving Patient", email);
    const key = await imageKeyOf(id);
    expect(await isStored(key)).toBe(true);

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
    expect(await isStored(key)).toBe(false);
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
