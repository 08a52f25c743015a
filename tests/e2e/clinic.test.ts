import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { inTransaction } from "~/data/unit-of-work.server";
import { users } from "#db/schema";
import { DOCTOR_CLASS_LABELS } from "~/consultations/vocabulary";
import { makeCertifiedDoctor } from "../helpers";
import { assessableSmear } from "../uploads/assessable";
import { browserSessions } from "./browser";
import { waitForMail } from "./mailbox";

/** Set to a folder to keep screenshots of each clinic page at 390 and 1280 px. */
const SCREENSHOTS = process.env.E2E_SCREENSHOTS;
const session = browserSessions();
let files: string;

beforeAll(() => {
  files = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-clinic-"));
});
afterAll(() => fs.rmSync(files, { recursive: true, force: true }));

async function shoot(page: Page, name: string) {
  if (!SCREENSHOTS) return;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function certifiedDoctor(name: string) {
  const { user } = await makeCertifiedDoctor();
  await inTransaction(({ tx }) =>
    tx.update(users).set({ displayName: name }).where(eq(users.id, user.id)),
  );
  return { user, s: await session(user.email) };
}

async function registerPatient(page: Page, values: { ref: string; name: string; born: string }) {
  await page.goto("/doctor/patients/new");
  await page.getByLabel("Clinic patient ID").fill(values.ref);
  await page.getByLabel("Full name").fill(values.name);
  await page.getByLabel("Date of birth").fill(values.born);
  await page.getByLabel("Sex").selectOption("male");
  await page.getByRole("button", { name: "Save the patient" }).click();
}

describe("a hematologist's own clinic patients", () => {
  test("a walk-in patient is registered, analysed, decided, printed, found again by diagnosis and claimed", async () => {
    const dr = await certifiedDoctor("Dr Clara Clinic");
    const page = dr.s.page;
    await page.goto("/doctor");
    await page.getByRole("link", { name: "My patients" }).click();
    await page.getByRole("heading", { name: "My patients" }).waitFor();
    await shoot(page, "patients-empty");

    await registerPatient(page, { ref: "WALK-001", name: "Tomás Walker", born: "2012-09-14" });
    await page.getByRole("heading", { name: "Tomás Walker" }).waitFor();
    const patientUrl = page.url();

    // The same name and birth date again: warned, with a link to the existing record, not saved.
    await page.goto("/doctor/patients/new");
    await shoot(page, "patients-new");
    await registerPatient(page, { ref: "WALK-002", name: "tomas walker", born: "2012-09-14" });
    const warning = page.getByRole("note", { name: "Possible duplicates" });
    await warning.getByRole("link", { name: /Tomás Walker \(ID WALK-001/ }).waitFor();
    await shoot(page, "patients-duplicate");

    // A smear for them, through the same intake and model.
    await page.goto(patientUrl);
    await page.getByRole("link", { name: "Analyse a smear for this patient" }).click();
    const file = path.join(files, "smear.jpg");
    fs.writeFileSync(file, (await assessableSmear(41, 448, "jpeg")).bytes);
    await shoot(page, "patients-analyse");
    await page.getByLabel("Smear image").setInputFiles(file);
    await page.getByRole("button", { name: "Upload and analyse" }).click();
    await page.waitForURL(/\/doctor\/cases\/[\w-]{36}$/);
    await page.getByRole("heading", { name: "Clinic record: Tomás Walker" }).waitFor();
    await page.getByText("WALK-001").waitFor();

    const decision = DOCTOR_CLASS_LABELS.other_leukaemia_suspected;
    await page.getByLabel(decision).check();
    await page.getByLabel("Morphology (for the record)").fill("Large blasts with Auer rods.");
    await page.getByLabel("Advice to the patient").fill("Bone marrow examination this week.");
    await page.getByLabel("Urgent (today)").check();
    await page.getByRole("button", { name: "Send my assessment" }).click();
    await page.getByRole("link", { name: "Signed report (print)" }).click();
    await page.getByRole("heading", { name: "Peripheral blood smear report" }).waitFor();
    await page.getByText("Final — decided by the hematologist").waitFor();
    await page.getByText("2012-09-14").waitFor();
    await page.locator(".signature").getByText("Dr Clara Clinic").waitFor();
    await shoot(page, "records-report");
    await page.emulateMedia({ media: "print" });
    expect(await page.getByRole("button", { name: "Print this report" }).isVisible()).toBe(false);
    await page.emulateMedia({ media: "screen" });
    const fhir = await (await page.request.get(page.url().replace(/report$/, "fhir"))).json();
    expect(fhir).toMatchObject({ status: "final", performer: [{ display: "Dr Clara Clinic" }] });

    // Found again by diagnosis, in the list and in the image browser.
    await page.goto("/doctor");
    await page.getByRole("link", { name: "Records", exact: true }).click();
    await page.getByLabel("Final class").selectOption({ label: decision });
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL(/finalClass=other_leukaemia_suspected/);
    await page
      .getByRole("list", { name: "Records" })
      .getByRole("link", { name: "Tomás Walker" })
      .waitFor();
    await shoot(page, "records-list");
    await page.getByRole("link", { name: "Browse the images by class" }).click();
    const group = page.getByRole("region", { name: decision });
    await group.getByRole("img", { name: /Smear of Tomás Walker/ }).waitFor();
    await shoot(page, "records-images");
    await group.getByRole("link", { name: /Tomás Walker/ }).click();
    await page.locator(".image-viewer").waitFor();

    // Their statistics count the decision: a row for this month (with no answers the page
    // says "No final answers yet."), its one answer shown as "<5", and no chart to draw yet.
    await page.goto("/doctor");
    await page.getByRole("link", { name: "My statistics" }).click();
    await page.waitForURL("**/doctor/statistics");
    const byMonth = page.getByRole("region", { name: "Final answers by month" });
    await byMonth.locator(".chart-empty").waitFor();
    expect(await page.getByText("No final answers yet.").count()).toBe(0);
    const thisMonth = new Date().toLocaleDateString("en-GB", {
      month: "short",
      year: "numeric",
      timeZone: "UTC",
    });
    const row = byMonth.locator("tbody tr", { hasText: thisMonth });
    expect(await row.locator("td").last().textContent()).toBe("<5");
    await shoot(page, "clinic-statistics");

    // Another doctor does not see this patient.
    const other = await certifiedDoctor("Dr Otto Other");
    await other.s.page.goto(patientUrl);
    await other.s.page.getByRole("heading", { name: "Page not found" }).waitFor();

    // The patient claims the records with a new account and finds them in their history.
    await page.goto(patientUrl);
    await page.getByRole("button", { name: "Create an invitation link" }).click();
    const link = await page.getByLabel("Give this link to the patient:").inputValue();
    await shoot(page, "patients-record");
    const visitor = await session();
    await visitor.page.goto(new URL(link).pathname);
    await visitor.page
      .getByRole("heading", { name: "Your records from Dr Clara Clinic" })
      .waitFor();
    await shoot(visitor.page, "invitation");
    await visitor.page.getByRole("link", { name: "Create my account" }).click();
    await visitor.page.getByLabel("Name").fill("Tomás Walker");
    await visitor.page.getByLabel("Email").fill(`tomas-${Date.now()}@example.test`);
    await visitor.page.getByLabel("Password").fill("violet harbour lantern 42");
    await visitor.page.getByRole("button", { name: "Create account" }).click();
    await visitor.page.getByRole("button", { name: "Add these records to my account" }).click();
    await visitor.page.waitForURL(/\/analyses\?claimed=1$/);
    await visitor.page
      .getByText(/Other leukaemia suspected/)
      .first()
      .waitFor();

    // The link works once.
    const again = await session();
    const response = await again.page.goto(new URL(link).pathname);
    expect(response?.status()).toBe(410);
    await again.page.getByText("This invitation has already been used").waitFor();
  }, 180_000);

  test("a patient's details are corrected, the invitation goes by e-mail, the upload shows its progress, and a mistaken patient is erased", async () => {
    const dr = await certifiedDoctor("Dr Erin Editor");
    const page = dr.s.page;
    await registerPatient(page, { ref: "ED-001", name: "Ema Typo", born: "1988-03-04" });
    await page.getByRole("heading", { name: "Ema Typo" }).waitFor();
    const patientUrl = page.url();

    await page.getByRole("link", { name: "Edit the details or delete the patient" }).click();
    await page.getByRole("heading", { name: "Edit Ema Typo" }).waitFor();
    await shoot(page, "patients-edit");
    const email = `ema-${Date.now()}@example.test`;
    await page.getByLabel("Full name").fill("Emma Tipo");
    await page.getByLabel("Contact (optional)").fill(`Mobile +39 333 000 111, ${email}`);
    await page.getByRole("button", { name: "Save the changes" }).click();
    await page.getByRole("heading", { name: "Emma Tipo" }).waitFor();

    // The address from the contact details is offered; the e-mail carries the same link.
    expect(await page.getByLabel("The patient's e-mail address").inputValue()).toBe(email);
    await page.getByRole("button", { name: "Send the invitation by e-mail" }).click();
    await page.getByText(`The invitation is on its way to ${email}`).waitFor();
    const shown = await page.getByLabel(/The same link, to give by hand/).inputValue();
    await shoot(page, "patients-invited");
    const mail = await waitForMail(email);
    expect(mail.subject).toBe("HemaLink: your records from Dr Erin Editor");
    expect(mail.text).toContain(shown);
    const visitor = await session();
    await visitor.page.goto(new URL(shown).pathname);
    await visitor.page.getByRole("heading", { name: "Your records from Dr Erin Editor" }).waitFor();

    // The clinic upload goes through the JSON endpoint, with the progress bar.
    await page.goto(`${patientUrl}/analyses/new`);
    const file = path.join(files, "smear-progress.jpg");
    fs.writeFileSync(file, (await assessableSmear(43, 448, "jpeg")).bytes);
    await page.getByLabel("Smear image").setInputFiles(file);
    const posted = page.waitForResponse((r) => r.url().includes("/api/clinic/patients/"));
    await page.getByRole("button", { name: "Upload and analyse" }).click();
    expect((await posted).status()).toBe(201);
    await page.waitForURL(/\/doctor\/cases\/[\w-]{36}$/);

    // A patient with a record is erased only when asked explicitly.
    await page.goto(`${patientUrl}/edit`);
    await page.getByLabel("Erase the records with the patient").check();
    await page.getByLabel(/Type the clinic patient ID/).fill("ED-002");
    await page.getByRole("button", { name: "Erase Emma Tipo and the records" }).click();
    await page.getByText("exactly as shown").waitFor();
    await page.getByLabel("Erase the records with the patient").check();
    await page.getByLabel(/Type the clinic patient ID/).fill("ED-001");
    await shoot(page, "patients-erase");
    await page.getByRole("button", { name: "Erase Emma Tipo and the records" }).click();
    await page.waitForURL(/\/doctor\/patients\?deleted=1$/);
    await page.getByText("The patient was deleted, with 1 analysis and their images.").waitFor();
    expect((await page.goto(patientUrl))?.status()).toBe(404);
    expect((await visitor.page.goto(new URL(shown).pathname))?.status()).toBe(404);
  }, 180_000);
});
