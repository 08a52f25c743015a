import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { eq } from "drizzle-orm";
import { inTransaction } from "~/data/unit-of-work.server";
import { users } from "#db/schema";
import type { DoctorClass } from "~/consultations/vocabulary";
import { assessableSmear } from "../uploads/assessable";
import { insertAnalysis, makeCertifiedDoctor, makeUser, shareAndAnswer } from "../helpers";
import { seriousA11yViolations } from "./axe";
import { browserSessions, type Session } from "./browser";
import { whileBusy } from "./stories";

/** Set to a folder to keep screenshots of the statistics and research pages at 390 and 1280 px. */
const SCREENSHOTS = process.env.E2E_SCREENSHOTS;
const ADMIN = "admin@demo.hemalink.test";

const session = browserSessions();
type Doctor = Awaited<ReturnType<typeof makeCertifiedDoctor>>;

async function shoot(s: Session, name: string) {
  if (!SCREENSHOTS) return;
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  for (const width of [390, 1280]) {
    await s.page.setViewportSize({ width, height: 900 });
    await s.page.screenshot({
      path: path.join(SCREENSHOTS, `${name}-${width}.png`),
      fullPage: true,
    });
  }
}

/** `n` analyses of one new patient, each shared with `doctor` and answered `doctorClass`. */
async function answeredCases(doctor: Doctor, doctorClass: DoctorClass, n: number) {
  const patient = await makeUser("patient");
  for (let i = 0; i < n; i += 1) {
    await whileBusy(async () =>
      shareAndAnswer(
        doctor,
        patient,
        (await insertAnalysis(patient.id, { topClass: "pre_b" })).id,
        doctorClass,
      ),
    );
  }
}

describe("statistics and the research export", () => {
  test("a doctor sees their statistics: tables, charts, CSV, and a page that prints without controls", async () => {
    const doctor = await makeCertifiedDoctor({ offersTeleconsultation: true, country: "PT" });
    await answeredCases(doctor, "pre_b", 6);
    await answeredCases(doctor, "benign", 2);
    const s = await session(doctor.user.email, { viewport: { width: 1280, height: 900 } });
    await s.page.goto("/doctor");
    await s.page.getByRole("link", { name: "My statistics" }).click();
    await s.page.waitForURL("**/doctor/statistics");
    await s.page.getByRole("heading", { name: "My statistics" }).waitFor();
    await shoot(s, "doctor-statistics");
    await s.page.setViewportSize({ width: 1280, height: 900 });
    const row = s.page.locator(
      "section[aria-labelledby='prevalence-by-month-title'] .table-scroll tbody tr",
    );
    // Benign 2 is "<5"; pre-B 6 is shown, or hidden as "x" where it would give a small one away.
    expect(["6", "x"]).toContain(await row.locator("td").nth(2).textContent());
    expect(await row.locator("td").nth(0).textContent()).toBe("<5");
    await s.page
      .getByRole("region", { name: "Final answers by country" })
      .getByText("Portugal")
      .waitFor();
    // A chart (uPlot canvas) for each table with something it may draw; the agreement rate is
    // withheld (2 answers did not confirm the model), so its place says why in words.
    await s.page.locator(".chart canvas").first().waitFor();
    const agreement = s.page.getByRole("region", {
      name: "Model and hematologist agreement by model version",
    });
    await agreement.getByText(/No chart yet: an agreement rate is drawn only/).waitFor();
    expect(await agreement.locator(".uplot").count()).toBe(0);
    expect(await s.page.locator(".uplot").count()).toBe(
      5 - (await s.page.locator(".chart-empty").count()),
    );
    expect(await s.page.locator(".uplot").count()).toBeGreaterThan(0);
    const csv = await s.page.request.get("/doctor/statistics.csv?table=prevalence-by-month");
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain("<5");
    expect(await seriousA11yViolations(s.page)).toEqual([]);
    await s.page.emulateMedia({ media: "print" });
    expect(
      await s.page
        .getByRole("link", { name: /as CSV/ })
        .first()
        .isVisible(),
    ).toBe(false);
    expect(await s.page.locator(".site-header").isVisible()).toBe(false);
    await s.page.emulateMedia({ media: "screen" });
  }, 180_000);

  test("a doctor with only a few answers reads why no chart is drawn; the tables and CSV stay", async () => {
    const doctor = await makeCertifiedDoctor({ offersTeleconsultation: true, country: "NO" });
    await answeredCases(doctor, "pre_b", 3);
    const s = await session(doctor.user.email, { viewport: { width: 390, height: 900 } });
    await s.page.goto("/doctor/statistics");
    await s.page.getByRole("heading", { name: "My statistics" }).waitFor();
    // Every count is "<5" and the rate and the median are withheld: five sentences, no axes.
    await s.page.locator(".chart-empty").first().waitFor();
    expect(await s.page.locator(".chart-empty").count()).toBe(5);
    await s.page
      .getByRole("region", { name: "Final answers by month" })
      .getByText(/appears once a class has 5 or more final answers in one month/)
      .waitFor();
    await s.page.waitForLoadState("networkidle");
    expect(await s.page.locator(".uplot").count()).toBe(0);
    const month = s.page.locator(
      "section[aria-labelledby='prevalence-by-month-title'] .table-scroll tbody tr",
    );
    expect(await month.locator("td").nth(2).textContent()).toBe("<5");
    const csv = await s.page.request.get("/doctor/statistics.csv?table=prevalence-by-month");
    expect(await csv.text()).toContain("<5");
    expect(await s.page.getByRole("link", { name: /as CSV/ }).count()).toBe(5);
    expect(await seriousA11yViolations(s.page)).toEqual([]);
    await shoot(s, "doctor-statistics-suppressed");
  }, 180_000);

  test("an admin sees platform statistics with small cells suppressed, and no names", async () => {
    const iceland = await makeCertifiedDoctor({ offersTeleconsultation: true, country: "IS" });
    await inTransaction(({ tx }) =>
      tx
        .update(users)
        .set({ displayName: "Gudrun Statsdottir" })
        .where(eq(users.id, iceland.user.id)),
    );
    await answeredCases(iceland, "pro_b", 3);
    const admin = await session(ADMIN, { viewport: { width: 1280, height: 900 } });
    await admin.page.goto("/admin");
    await admin.page.getByRole("link", { name: /Platform statistics/ }).click();
    await admin.page.waitForURL("**/admin/statistics");
    const country = admin.page.getByRole("region", { name: "Final answers by country" });
    const icelandRow = country.locator("tbody tr", { hasText: "Iceland" });
    expect(await icelandRow.locator("td").last().textContent()).toBe("<5");
    expect(await admin.page.getByText("Gudrun Statsdottir").count()).toBe(0);
    const csv = await admin.page.request.get("/admin/statistics.csv?table=prevalence-by-region");
    const line = (await csv.text()).split("\r\n").find((l) => l.startsWith("Iceland"))!;
    expect(
      line
        .split(",")
        .slice(1)
        .every((cell) => cell === "<5" || cell === "x"),
    ).toBe(true);
    expect(await seriousA11yViolations(admin.page)).toEqual([]);
    await shoot(admin, "admin-statistics");
  }, 180_000);

  test("a consented, doctor-confirmed analysis is in the research export; a non-consented one is not", async () => {
    const doctor = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const files = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-research-"));
    const smear = path.join(files, "smear.jpg");
    fs.writeFileSync(smear, (await assessableSmear(5, 448, "jpeg")).bytes);

    const upload = async (consent: boolean) => {
      const patient = await makeUser("patient");
      const s = await session(patient.email, { viewport: { width: 1280, height: 900 } });
      await s.page.goto("/analyses/new");
      const box = s.page.getByLabel(/Allow my de-identified image/);
      expect(await box.isChecked()).toBe(false);
      if (consent) await box.check();
      if (consent) await shoot(s, "upload-consent");
      await s.page.getByLabel("Smear image").setInputFiles(smear);
      await s.page.getByRole("button", { name: "Upload and analyse" }).click();
      await s.page.waitForURL(/\/analyses\/[\w-]{36}$/);
      return { patient, s, id: new URL(s.page.url()).pathname.split("/").pop()! };
    };
    const consented = await upload(true);
    const declined = await upload(false);
    await whileBusy(() => shareAndAnswer(doctor, consented.patient, consented.id, "pro_b"));
    await whileBusy(() => shareAndAnswer(doctor, declined.patient, declined.id, "early_pre_b"));

    // The consenting patient sees the choice in Your data.
    await consented.s.page.goto("/account/data");
    await consented.s.page.getByText("1 of your analyses is shared for research.").waitFor();
    await shoot(consented.s, "account-research");

    const admin = await session(ADMIN, { viewport: { width: 1280, height: 900 } });
    await admin.page.goto("/admin/research");
    const table = admin.page.getByRole("region", { name: "Images in the research dataset" });
    expect(await table.locator("tr", { hasText: "Pro/" }).locator("td").last().textContent()).toBe(
      "1",
    );
    expect(
      await table.locator("tr", { hasText: "Early/" }).locator("td").last().textContent(),
    ).toBe("0");
    expect(await seriousA11yViolations(admin.page)).toEqual([]);
    await shoot(admin, "admin-research");
    const [download] = await Promise.all([
      admin.page.waitForEvent("download"),
      admin.page.getByRole("link", { name: /Download the research dataset/ }).click(),
    ]);
    const zip = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
    const images = Object.keys(zip).filter((n) => n.endsWith(".jpg"));
    expect(images).toHaveLength(1);
    expect(images[0]).toMatch(/^Pro\//);
    const manifest = strFromU8(zip["manifest.csv"]!).trim().split("\n");
    expect(manifest).toHaveLength(2);
    expect(manifest[1]).toContain(",Pro,");
    fs.rmSync(files, { recursive: true, force: true });
  }, 180_000);
});
