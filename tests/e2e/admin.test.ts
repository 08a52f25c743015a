import { eq } from "drizzle-orm";
import { users } from "#db/schema";
import { acceptRequest, shareAnalysis } from "~/consultations/lifecycle.server";
import { insertAnalysis, makeCertifiedDoctor, makeUser } from "../helpers";
import { seriousA11yViolations } from "./axe";
import { browserSessions, type Session } from "./browser";
import { inTransaction } from "~/data/unit-of-work.server";

const session = browserSessions();

const ADMIN = "admin@demo.hemalink.test";
const named = (id: string, displayName: string) =>
  inTransaction(({ tx }) => tx.update(users).set({ displayName }).where(eq(users.id, id)));

/** How far the page scrolls sideways (0 when it fits the window). */
const sidewaysScroll = (s: Session) =>
  s.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe("administration", () => {
  test("an admin suspends a doctor with a reason: the doctor's shared case is gone, the patient is told; reinstating brings it back", async () => {
    const tag = Date.now().toString(36);
    const { user: doctorUser, profile } = await makeCertifiedDoctor({
      title: "Dr",
      offersTeleconsultation: true,
      clinicName: "Clinique Suspendue",
      city: "Paris",
      country: "FR",
    });
    await named(doctorUser.id, `Suspense ${tag}`);
    const patientUser = await makeUser("patient");
    await named(patientUser.id, "Lina Waiting");
    const c = await shareAnalysis(patientUser, (await insertAnalysis(patientUser.id)).id, {
      doctorProfileId: profile.id,
      message: "Could you look at my smear, please? The model is unsure.",
      consent: true,
    });
    await acceptRequest({ id: doctorUser.id, role: "doctor" }, c.id);

    const doctor = await session(doctorUser.email);
    expect((await doctor.page.goto(`/doctor/cases/${c.id}`))!.status()).toBe(200);

    const admin = await session(ADMIN);
    await admin.page.goto(`/admin/doctors?status=verified&q=Suspense+${tag}`);
    const name = `Dr Suspense ${tag}`;
    await admin.page.locator("summary", { hasText: `Suspend Suspense ${tag}` }).click();
    // Without a reason the form says so and nothing changes.
    await admin.page.getByRole("button", { name: `Suspend Suspense ${tag}` }).click();
    await admin.page.getByText("Give the doctor a reason for the suspension").waitFor();
    await admin.page
      .getByLabel(`Reason for suspending Suspense ${tag}`)
      .fill("Licence withdrawn by the medical council, pending appeal.");
    await admin.page.getByRole("button", { name: `Suspend Suspense ${tag}` }).click();
    await admin.page.getByRole("status").getByText(`${name} is suspended`).waitFor();
    expect(await seriousA11yViolations(admin.page)).toEqual([]);

    // The doctor: the case is a 404, the inbox is empty, the dashboard gives the reason.
    expect((await doctor.page.goto(`/doctor/cases/${c.id}`))!.status()).toBe(404);
    expect((await doctor.page.request.get(`/doctor/cases/${c.id}/image/original`)).status()).toBe(
      404,
    );
    await doctor.page.goto("/doctor/cases");
    await doctor.page.getByText("the cases shared with you are hidden").waitFor();
    expect(await doctor.page.getByText("Lina Waiting").count()).toBe(0);
    await doctor.page.goto("/doctor");
    await doctor.page
      .locator("#suspension-notice")
      .getByText("Licence withdrawn by the medical council, pending appeal.")
      .waitFor();
    // Its notifications no longer name the patient.
    await doctor.page.goto("/notifications");
    await doctor.page.getByText("A patient shared a case with you.").waitFor();
    expect(await doctor.page.getByText("Lina Waiting").count()).toBe(0);

    // The patient: a notification and a notice on the consultation, with the way onwards.
    const patient = await session(patientUser.email);
    await patient.page.goto("/notifications");
    await patient.page.getByRole("link", { name: /can no longer see your case/ }).click();
    await patient.page.waitForURL(`**/consultations/${c.id}`);
    const notice = patient.page.locator("#doctor-access-notice");
    await notice.getByText(`${name} can no longer see this case`).waitFor();
    expect(
      await notice
        .getByRole("link", { name: "Share it with another hematologist" })
        .getAttribute("href"),
    ).toMatch(/^\/doctors\?analysis=/);
    expect(await patient.page.getByLabel("Write a message").count()).toBe(0);

    // Reinstated: the doctor sees the case again, the patient is told.
    await admin.page.goto(`/admin/doctors?status=suspended&q=Suspense+${tag}`);
    await admin.page.getByRole("button", { name: `Reinstate Suspense ${tag}` }).click();
    await admin.page.getByRole("status").getByText(`${name} is reinstated`).waitFor();
    expect((await doctor.page.goto(`/doctor/cases/${c.id}`))!.status()).toBe(200);
    await patient.page.goto("/notifications");
    await patient.page.getByText(/can see your case again/).waitFor();
  });

  test("at 390 px the admin searches and filters doctors, and reads reviews, without sideways scrolling", async () => {
    const tag = Date.now().toString(36);
    const { user } = await makeCertifiedDoctor({
      licenceNumber: `RPPS-${tag}-0000000000000000000000`,
      clinicName: "Centre d'hématologie de la Porte de Saint-Cloud et des Environs",
      city: "Boulogne-Billancourt",
    });
    await named(user.id, `Marie-Christine Longuenom-Delacroix ${tag}`);
    const admin = await session(ADMIN, { viewport: { width: 390, height: 844 } });
    await admin.page.goto("/admin/doctors");
    await admin.page.getByRole("heading", { name: "Doctors", exact: true }).waitFor();
    expect(await sidewaysScroll(admin)).toBeLessThanOrEqual(0);

    await admin.page.getByLabel("Status").selectOption("verified");
    await admin.page.getByLabel("Search").fill(`RPPS-${tag}`);
    await admin.page.getByRole("button", { name: "Show" }).click();
    await admin.page.waitForURL(/status=verified/);
    await admin.page.getByText("1 profile · Certified").waitFor();
    await admin.page.getByRole("heading", { name: /Longuenom-Delacroix/ }).waitFor();
    expect(await sidewaysScroll(admin)).toBeLessThanOrEqual(0);
    expect(await seriousA11yViolations(admin.page)).toEqual([]);

    // The whole list pages instead of one endless page.
    await admin.page.goto("/admin/doctors?status=all");
    await admin.page
      .getByRole("navigation", { name: "Pages" })
      .getByRole("link", { name: "Next page →" })
      .click();
    await admin.page.waitForURL(/page=2/);
    expect(await sidewaysScroll(admin)).toBeLessThanOrEqual(0);
    const height = await admin.page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThan(20_000);

    for (const path of ["/admin/reviews", "/admin", "/admin/consultations"]) {
      await admin.page.goto(path);
      expect(await sidewaysScroll(admin), path).toBeLessThanOrEqual(0);
    }
  });
});
