import type { Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { secondFactors } from "#db/schema";
import { LOGIN_FAILED } from "~/auth/login.server";
import { RESET_REQUESTED } from "~/auth/password-reset.server";
import {
  beginEnrolment,
  confirmEnrolment,
  currentCode,
  WRONG_CODE,
  WRONG_RECOVERY_CODE,
} from "~/auth/second-factor.server";
import { shareAnalysis } from "~/consultations/lifecycle.server";
import { saveOwnReview } from "~/reviews/reviews.server";
import { insertAnalysis, makeCertifiedDoctor, makeUser } from "../helpers";
import { baseUrl, browserSessions } from "./browser";
import { waitForMail } from "./mailbox";

const session = browserSessions();

/** A session with JavaScript turned off: every form is a plain HTML form posting to the server. */
const withoutJavaScript = (email?: string) => session(email, { javaScript: false });

const see = (page: Page, text: string | RegExp) => page.getByText(text).first().waitFor();
/** A message the server sent back for a bad input (field, form or page message). */
const refused = (page: Page, text: string) =>
  page.locator(".error", { hasText: text }).first().waitFor();
const press = (page: Page, name: string) => page.getByRole("button", { name, exact: true }).click();

const PASSWORD = "correct horse battery";

describe("every form works with JavaScript off", () => {
  test("register, log in, forgot and reset the password: each says what is wrong, then works", async () => {
    const { page } = await withoutJavaScript();
    const email = `nojs-${Date.now()}@example.test`;
    await page.goto("/register");
    await page.getByLabel("Password").fill("short");
    await press(page, "Create account");
    await refused(page, "Enter your name");
    await refused(page, "Use at least 8 characters");
    await page.getByLabel("Name").fill("Noé Script");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await press(page, "Create account");
    await page.waitForURL("**/dashboard");
    await press(page, "Log out");

    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password");
    await press(page, "Log in");
    await refused(page, LOGIN_FAILED);
    await page.getByLabel("Password").fill(PASSWORD);
    await press(page, "Log in");
    await page.waitForURL("**/dashboard");
    await press(page, "Log out");

    await page.goto("/forgot-password");
    await page.getByLabel("Email").fill("not an address");
    await press(page, "Send me a link");
    await refused(page, "Enter a valid email address");
    await page.getByLabel("Email").fill(email);
    await press(page, "Send me a link");
    await see(page, RESET_REQUESTED);
    const link = new URL(/https?:\/\/\S+/.exec((await waitForMail(email)).text ?? "")![0]);
    await page.goto(`${baseUrl()}${link.pathname}${link.search}`);
    await page.getByLabel("New password").fill("short");
    await press(page, "Set the new password");
    await refused(page, "Use at least 8 characters");
    await page.getByLabel("New password").fill("a freshly chosen passphrase");
    await press(page, "Set the new password");
    await see(page, "Your password has been changed");
  });

  test("the second login step: a wrong code and a wrong recovery code are refused, a recovery code logs in", async () => {
    const { user } = await makeCertifiedDoctor();
    await beginEnrolment(user);
    const { secret } = (
      await getDb().select().from(secondFactors).where(eq(secondFactors.userId, user.id)).limit(1)
    )[0]!;
    const [recoveryCode] = await confirmEnrolment(user, await currentCode(secret));
    const { page } = await withoutJavaScript();
    await page.goto("/login");
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await press(page, "Log in");
    await page.waitForURL("**/login/code");
    await page.getByLabel("Code", { exact: true }).fill("000000");
    await press(page, "Log in");
    await refused(page, WRONG_CODE);
    await page.getByText("No access to your app? Use a recovery code").click();
    await page.getByLabel("Recovery code").fill("not-a-code");
    await press(page, "Log in with a recovery code");
    await refused(page, WRONG_RECOVERY_CODE);
    await page.getByLabel("Recovery code").fill(recoveryCode!);
    await press(page, "Log in with a recovery code");
    await page.waitForURL("**/doctor");
  });

  test("account security and account data: a wrong code, a wrong password, then success", async () => {
    const patient = await makeUser("patient");
    const { page } = await withoutJavaScript(patient.email);
    await page.goto("/account/security");
    await press(page, "Set up two-step login");
    await page.getByLabel("Code", { exact: true }).fill("123456");
    await press(page, "Turn on two-step login");
    await refused(page, WRONG_CODE);
    const key = (await page.locator("code.secret").textContent())!.replace(/\s/g, "");
    await page.getByLabel("Code", { exact: true }).fill(await currentCode(key));
    await press(page, "Turn on two-step login");
    await see(page, "Save these recovery codes now.");

    await page.goto("/account/data");
    await page.getByLabel("Your password").fill("not my password");
    await press(page, "Delete my account");
    await refused(page, "Tick the box to confirm that this cannot be undone");
    await page.getByLabel("I understand").check();
    await page.getByLabel("Your password").fill("not my password");
    await press(page, "Delete my account");
    await refused(page, "That is not your password.");
    await page.getByLabel("I understand").check();
    await page.getByLabel("Your password").fill(PASSWORD);
    await press(page, "Delete my account");
    await page.waitForURL("**/account/deleted");
  });

  test("a doctor's profile: a wrong address and an unknown city are explained, the pin is set from the city, the profile saves", async () => {
    const { user } = await makeCertifiedDoctor({
      licenceNumber: "FR-654321",
      licenceAuthority: "Ordre des médecins",
      boardCertifications: ["Hematology"],
      specialties: ["hematology"],
      languages: ["French"],
      clinicName: "Clinique Sans Script",
      streetAddress: "3 rue du Serveur",
      city: "Paris",
      country: "FR",
    });
    const { page } = await withoutJavaScript(user.email);
    await page.goto("/doctor/profile");
    await page.getByLabel("City").fill("Xyzzyqville");
    await press(page, "Set the pin from the city");
    await refused(page, "We could not find this city");
    await page.getByLabel("City").fill("Lyon");
    await press(page, "Set the pin from the city");
    await see(page, /Pin at 45\.7/);
    await page.getByLabel("Website").fill("clinic dot example");
    await press(page, "Save profile");
    await refused(page, "Enter a web address starting with https://");
    await page.getByLabel("Website").fill("https://clinic.example");
    await press(page, "Save profile");
    await see(page, "Profile saved.");
  });

  test("a patient reviews a doctor, shares a case and writes in the consultation", async () => {
    const { profile } = await makeCertifiedDoctor({
      title: "Dr",
      offersTeleconsultation: true,
      acceptsNewPatients: true,
      clinicName: "Cabinet Sans Script",
    });
    const patient = await makeUser("patient");
    await insertAnalysis(patient.id);
    const { page } = await withoutJavaScript(patient.email);

    await page.goto(`/doctors/${profile.id}`);
    await page.getByLabel("Your review").fill("Too short");
    await press(page, "Post my review");
    await refused(page, "Choose a rating from 1 to 5 stars");
    await refused(page, "Write at least 20 characters");
    await page.getByLabel("5 stars").check();
    await page.getByLabel("Your review").fill("Answered every question about the blood count.");
    await press(page, "Post my review");
    await page.getByRole("heading", { name: "Edit your review" }).waitFor();

    await page.goto(`/consultations/new?doctor=${profile.id}`);
    await page.getByLabel("Your message to the doctor").fill("Help");
    await page.getByRole("button", { name: /^Send to / }).click();
    await refused(page, "Tell the doctor why you are asking (at least 10 characters)");
    await refused(page, "Tick the box to let this doctor see the image and result");
    await page
      .getByLabel("Your message to the doctor")
      .fill("The model is unsure; could you look?");
    await page.getByLabel(/may see this image and result/).check();
    await page.getByRole("button", { name: /^Send to / }).click();
    await page.waitForURL(/\/consultations\/[^/]+$/);

    await page.getByLabel("Write a message").fill("   ");
    await press(page, "Send message");
    await refused(page, "Write a message");
    await page.getByLabel("Write a message").fill("I can send a sharper photo if needed.");
    await press(page, "Send message");
    await page.locator(".prewrap", { hasText: "I can send a sharper photo if needed." }).waitFor();
  });

  test("a doctor declines without a reason, then accepts and answers a case", async () => {
    const { user: doctor, profile } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const patient = await makeUser("patient");
    const c = await shareAnalysis(patient, (await insertAnalysis(patient.id)).id, {
      doctorProfileId: profile.id,
      message: "Could you look at my smear, please?",
      consent: true,
    });
    const { page } = await withoutJavaScript(doctor.email);
    await page.goto(`/doctor/cases/${c.id}`);
    await press(page, "Decline");
    await refused(page, "Give the patient a reason");
    await press(page, "Accept the case");
    await press(page, "Send my assessment");
    await refused(page, "Choose your assessment");
    await refused(page, "Describe what you saw in the smear");
    await refused(page, "Write your advice to the patient");
    await refused(page, "Choose the urgency");
    await page.locator("input[name=doctorClass]").first().check();
    await page
      .getByLabel("Morphology (for the record)")
      .fill("Mature lymphocytes and neutrophils; no blasts seen.");
    await page.getByLabel("Advice to the patient").fill("A full blood count at your GP.");
    await page.locator("input[name=urgency]").first().check();
    await press(page, "Send my assessment");
    await see(page, "A full blood count at your GP.");
    expect(await page.getByRole("button", { name: "Send my assessment" }).count()).toBe(0);
  });

  test("an admin's decisions: a rejection without a reason is refused, an approval and a moderation are confirmed", async () => {
    const pending = await makeUser("doctor");
    const { user: reviewed, profile } = await makeCertifiedDoctor();
    const reviewer = await makeUser("patient");
    await saveOwnReview(reviewer, profile.id, {
      rating: 1,
      body: "A review the administrator will hide from the page.",
    });
    const { page } = await withoutJavaScript("admin@demo.hemalink.test");
    const name = pending.displayName;
    await page.goto(`/admin/doctors?status=pending&q=${encodeURIComponent(name)}`);
    await page.getByText(`Reject ${name}…`).click();
    await press(page, `Reject ${name}`);
    await refused(page, "Give the doctor a reason");
    await press(page, `Approve ${name}`);
    await see(page, `${name} is approved`);

    await page.goto(`/admin/reviews?show=all&doctor=${encodeURIComponent(reviewed.displayName)}`);
    await page
      .locator(".card", { hasText: "A review the administrator will hide from the page." })
      .getByRole("button", { name: "Hide this review" })
      .click();
    await see(page, "The review is hidden; its reports are closed.");
  });
});
