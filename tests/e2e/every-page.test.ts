import fs from "node:fs";
import path from "node:path";
import { acceptRequest, shareAnalysis } from "~/consultations/lifecycle.server";
import { insertAnalysis, makeCertifiedDoctor, makeUser } from "../helpers";
import { seriousA11yViolations } from "./axe";
import { browserSessions, type Session } from "./browser";

const session = browserSessions();

/**
 * The widths every page is checked at, narrowest first: a small phone, a phone and a desktop.
 * Nothing may be wider than the window at any of them; axe looks at the phone and the desktop.
 */
const WIDTHS = [
  { viewport: { width: 360, height: 740 }, axe: false },
  { viewport: { width: 390, height: 844 }, axe: true },
  { viewport: { width: 1280, height: 900 }, axe: true },
];
const NARROWEST = WIDTHS[0].viewport;
type Visit = { path: string; status?: number };

/**
 * The current page at each width, by resizing the window: the layout follows the window through
 * CSS alone, and the one script that measures its box once (the lab's curves) was drawn at the
 * narrowest width, so a wider window cannot make it overflow. Loading each page once instead of
 * once per width halved this file's time (docs/decisions/075).
 */
async function checkWidths(s: Session, where: string, problems: string[]) {
  for (const { viewport, axe } of WIDTHS) {
    await s.page.setViewportSize(viewport);
    if (axe) {
      for (const violation of await seriousA11yViolations(s.page)) {
        problems.push(`${where} at ${viewport.width} px: ${violation}`);
      }
    }
    const width = await s.page.evaluate(() => document.documentElement.scrollWidth);
    if (width > viewport.width) problems.push(`${where} at ${viewport.width} px: ${width} px wide`);
  }
}

/**
 * Every page: the expected status, no serious or critical axe violation, and nothing wider than
 * the window (no sideways scrolling) at every width. All problems of a role are listed together.
 */
async function checkPages(
  email: string | undefined,
  visits: Visit[],
  before?: (s: Session) => Promise<void>,
) {
  const problems: string[] = [];
  const s = await session(email, { viewport: NARROWEST });
  if (before) await before(s);
  for (const { path, status = 200 } of visits) {
    await s.page.setViewportSize(NARROWEST);
    const response = await s.page.goto(path);
    // The map is drawn after hydration: axe looks once it (and its attribution) is there.
    if (await s.page.locator(".map-frame").count()) {
      await s.page.locator(".leaflet-control-attribution").first().waitFor();
    }
    if (response?.status() !== status) problems.push(`${path}: status ${response?.status()}`);
    const url = new URL(s.page.url());
    if (url.pathname + url.search !== path) problems.push(`${path}: went to ${url.pathname}`);
    await checkWidths(s, path, problems);
  }
  return problems;
}

describe("every page is accessible and fits a phone", () => {
  let patientEmail: string;
  let doctorEmail: string;
  let doctorProfileId: string;
  let analysisId: string;
  let consultationId: string;

  beforeAll(async () => {
    const { user: doctor, profile } = await makeCertifiedDoctor({
      title: "Dr",
      offersTeleconsultation: true,
      clinicName: "Clinique des Pages",
      streetAddress: "2 rue de l'Accès",
      city: "Paris",
      country: "FR",
      specialties: ["hematology"],
      languages: ["French", "English"],
    });
    const patient = await makeUser("patient");
    const analysis = await insertAnalysis(patient.id);
    const consultation = await shareAnalysis(patient, analysis.id, {
      doctorProfileId: profile.id,
      message: "Could you look at my smear, please? The model is unsure.",
      consent: true,
    });
    await acceptRequest({ id: doctor.id, role: "doctor" }, consultation.id);
    patientEmail = patient.email;
    doctorEmail = doctor.email;
    doctorProfileId = profile.id;
    analysisId = analysis.id;
    consultationId = consultation.id;
  });

  test("public pages, the sign-in steps and the error page", async () => {
    const problems = await checkPages(undefined, [
      { path: "/" },
      { path: "/about/model" },
      { path: "/guide/capture" },
      { path: "/doctors" },
      { path: "/doctors?place=Paris%2C+FR" },
      { path: `/doctors/${doctorProfileId}` },
      { path: "/login" },
      { path: "/register" },
      { path: "/forgot-password" },
      { path: "/reset-password?token=not-a-real-token" },
      { path: "/account/deleted" },
      { path: "/no-such-page", status: 404 },
    ]);
    // The second step of the login: a password that is right, then the code page.
    const s = await session(undefined, { viewport: NARROWEST });
    await s.page.goto("/login");
    await s.page.getByLabel("Email").fill("doctor@demo.hemalink.test");
    await s.page.getByLabel("Password").fill("demo-doctor-passphrase");
    await s.page.getByRole("button", { name: "Log in" }).click();
    await s.page.waitForURL(/\/login\/code/);
    await checkWidths(s, "/login/code", problems);
    expect(problems).toEqual([]);
  }, 180_000);

  test("a patient's pages", async () => {
    const problems = await checkPages(patientEmail, [
      { path: "/dashboard" },
      { path: "/analyses" },
      { path: "/analyses/new" },
      { path: `/analyses/${analysisId}` },
      { path: `/analyses/${analysisId}/report` },
      { path: "/consultations" },
      { path: `/consultations/new?doctor=${doctorProfileId}` },
      { path: `/consultations/${consultationId}` },
      { path: `/doctors/${doctorProfileId}` },
      { path: "/notifications" },
      { path: "/account/security" },
      { path: "/account/data" },
      { path: "/analyses/00000000-0000-0000-0000-000000000000", status: 404 },
    ]);
    expect(problems).toEqual([]);
  }, 180_000);

  test("a hematologist's pages", async () => {
    const problems = await checkPages(doctorEmail, [
      { path: "/doctor" },
      { path: "/doctor/cases" },
      { path: `/doctor/cases/${consultationId}` },
      { path: "/doctor/profile" },
      { path: "/doctor/patients" },
      { path: "/doctor/patients/new" },
      { path: "/doctor/records" },
      { path: "/doctor/records?finalClass=pre_b" },
      { path: "/doctor/records/images" },
      { path: `/doctors/${doctorProfileId}` },
      { path: "/notifications" },
      { path: "/account/security" },
    ]);
    expect(problems).toEqual([]);
  }, 180_000);

  test("the administrator's pages", async () => {
    const problems = await checkPages("admin@demo.hemalink.test", [
      { path: "/admin" },
      { path: "/admin/doctors" },
      { path: "/admin/doctors?status=verified" },
      { path: "/admin/reviews" },
      { path: "/admin/consultations" },
      { path: "/account/security" },
      { path: "/admin/no-such-page", status: 404 },
    ]);
    expect(problems).toEqual([]);
  }, 180_000);

  test("the model lab's pages", async () => {
    const shipped = (
      JSON.parse(fs.readFileSync(path.join(process.env.MODELS_DIR!, "current.json"), "utf8")) as {
        version: string;
      }
    ).version;
    const problems = await checkPages("admin@demo.hemalink.test", [
      { path: "/admin/models" },
      { path: "/admin/models/datasets" },
      { path: "/admin/models/jobs" },
      { path: "/admin/models/predict" },
      { path: `/admin/models/predict?version=${shipped}` },
      { path: "/admin/models/researchers" },
      { path: `/admin/models/versions/${shipped}` },
      { path: "/admin/models/versions/no-such-version", status: 404 },
    ]);
    expect(problems).toEqual([]);
  }, 180_000);
});
