import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { getDb } from "#db/client";
import { analyses } from "#db/schema";
import { CLASS_IDS, CLASS_LABELS } from "~/analyses/vocabulary";
import { DEMO_ACCOUNTS } from "../../seed/demo";
import { makeCertifiedDoctor } from "../helpers";
import { assessableSmear } from "../uploads/assessable";
import { seriousA11yViolations } from "./axe";
import { browserSessions } from "./browser";
import { namedPatient, rename, scratchFolder, uploadThroughForm } from "./stories";

const session = browserSessions();
const files = scratchFolder("cases");

const patient = (name: string) => namedPatient(session, name);

async function doctor(name: string) {
  const { user, profile } = await makeCertifiedDoctor({
    title: "Dr",
    offersTeleconsultation: true,
    clinicName: `${name} clinic`,
    city: "Paris",
    country: "FR",
  });
  await rename(user.id, name);
  return { ...user, name: `Dr ${name}`, profileId: profile.id, s: await session(user.email) };
}

let seed = 40;
async function upload(page: Page) {
  const file = path.join(files, `smear-${seed}.jpg`);
  const smear = await assessableSmear(seed, 448, "jpeg");
  seed = smear.seed + 1;
  fs.writeFileSync(file, smear.bytes);
  const id = await uploadThroughForm(page, file);
  await page.getByRole("heading", { name: "Your smear analysis" }).waitFor();
  return id;
}

/** From the doctor's public page, share the analysis; returns the consultation id. */
async function share(page: Page, analysisId: string, dr: { profileId: string; name: string }) {
  await page.goto(`/doctors/${dr.profileId}?analysis=${analysisId}`);
  await page.getByRole("link", { name: `Share a case with ${dr.name}` }).click();
  await page.getByRole("heading", { name: `Share a case with ${dr.name}` }).waitFor();
  await page
    .getByLabel("Your message to the doctor")
    .fill("Our GP saw unusual cells. Is this worrying, and what test should come next?");
  await page.getByLabel("A child").check();
  await page.getByLabel(`${dr.name} may see this image and result.`).check();
  await page.getByRole("button", { name: `Send to ${dr.name}` }).click();
  await page.waitForURL(/\/consultations\/[\w-]{36}$/);
  await page.getByRole("heading", { name: `Consultation with ${dr.name}` }).waitFor();
  return new URL(page.url()).pathname.split("/").pop()!;
}

describe("teleconsultation", () => {
  test("a patient shares a case; the doctor accepts, corrects the class and answers; the report and FHIR are final; a verified review follows", async () => {
    const p = await patient("Rosa Patient");
    const dr = await doctor("Ines Answer");
    const analysisId = await upload(p.s.page);
    const modelClass = (
      await getDb()
        .select({ topClass: analyses.topClass })
        .from(analyses)
        .where(eq(analyses.id, analysisId))
        .limit(1)
    )[0]!.topClass;
    const doctorClass = CLASS_IDS.find((c) => c !== modelClass)!;

    // The consent box is required: without it the form explains and nothing is shared.
    await p.s.page.goto(`/consultations/new?doctor=${dr.profileId}&analysis=${analysisId}`);
    await p.s.page.getByLabel("Your message to the doctor").fill("Please have a look at this.");
    await p.s.page.getByRole("button", { name: `Send to ${dr.name}` }).click();
    await p.s.page.getByText("Tick the box to let this doctor see the image and result").waitFor();

    const id = await share(p.s.page, analysisId, dr);
    await p.s.page.getByText("Waiting for the doctor").waitFor();

    // The doctor's navigation counts the new case; the inbox lists it under new requests.
    const { page } = dr.s;
    await page.goto("/doctor");
    await page.getByRole("link", { name: /Cases\s*1/ }).click();
    await page.getByRole("heading", { name: "Shared cases" }).waitFor();
    await page.getByRole("region", { name: "New requests" }).getByText("Rosa Patient").click();
    await page.waitForURL(`**/doctor/cases/${id}`);
    await page.getByRole("heading", { name: "Shared case" }).waitFor();
    await page.getByText("Our GP saw unusual cells.").waitFor();
    await page.getByText("Age bracket: child").waitFor();
    const image = await page.request.get(`/doctor/cases/${id}/image/original`);
    expect(image.status()).toBe(200);
    expect(image.headers()["cache-control"]).toBe("private, no-store");
    expect(await page.locator('img[alt="The patient\'s smear image"]').count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    // Reading the case cleared its badge (the navigation shows it on the next page).
    await page.goto("/doctor/cases");
    await page.getByRole("heading", { name: "Shared cases" }).waitFor();
    expect(await page.getByRole("link", { name: /^Cases\s*\d/ }).count()).toBe(0);
    await page.goto(`/doctor/cases/${id}`);

    await page.getByRole("button", { name: "Accept the case" }).click();
    await page.getByRole("heading", { name: "Your assessment" }).waitFor();
    // An answer without a class is refused with a message.
    await page.getByLabel("Advice to the patient").fill("Flow cytometry this week.");
    await page
      .getByLabel("Morphology (for the record)")
      .fill("Medium-sized blasts, scant cytoplasm, fine chromatin.");
    await page.getByRole("button", { name: "Send my assessment" }).click();
    await page.getByText("Choose your assessment").waitFor();
    await page.getByLabel(CLASS_LABELS[doctorClass], { exact: true }).check();
    await page.getByLabel("Urgent (today)").check();
    await page.getByRole("button", { name: "Send my assessment" }).click();
    await page.getByRole("heading", { name: /Final — reviewed by Dr Ines Answer/ }).waitFor();

    // The patient sees the final assessment beside the model's output.
    const pp = p.s.page;
    await pp.goto("/dashboard");
    await pp.getByRole("link", { name: /Notifications\s*\d/ }).waitFor();
    await pp.goto(`/consultations/${id}`);
    const assessment = pp.locator(".assessment");
    await assessment.getByRole("heading", { name: /Final — reviewed by Dr Ines Answer/ }).waitFor();
    expect(
      await assessment.getByRole("row", { name: /Hematologist’s assessment/ }).innerText(),
    ).toContain(CLASS_LABELS[doctorClass]);
    expect(await assessment.getByRole("row", { name: /Model output/ }).innerText()).toContain(
      CLASS_LABELS[modelClass],
    );
    await pp.goto(`/analyses/${analysisId}/report`);
    await pp
      .getByText(/Final — reviewed by Dr Ines Answer/)
      .first()
      .waitFor();
    const fhir = await (await pp.request.get(`/analyses/${analysisId}/fhir`)).json();
    expect(fhir.status).toBe("final");
    expect(fhir.performer[0].reference).toBe("#practitioner");

    // The history and the result lead with the hematologist's answer, marked Final; the
    // model's output follows as its preliminary output.
    await pp.goto("/analyses");
    const entry = pp.locator(`a[href="/analyses/${analysisId}"]`);
    await entry.getByText("Final", { exact: true }).waitFor();
    const listed = await entry.innerText();
    expect(listed).toContain(`Model’s preliminary output: ${CLASS_LABELS[modelClass]}`);
    expect(listed.indexOf(CLASS_LABELS[doctorClass])).toBeLessThan(
      listed.indexOf("Model’s preliminary output"),
    );
    await pp.goto(`/analyses/${analysisId}`);
    await pp.getByRole("heading", { name: "Model’s preliminary output" }).waitFor();

    // The review invitation leads to a review with the verified-consultation badge.
    await pp.goto(`/consultations/${id}`);
    await pp.getByRole("link", { name: "Review Dr Ines Answer" }).click();
    await pp.waitForURL(`**/doctors/${dr.profileId}#reviews`);
    await pp.getByRole("radio", { name: "4 stars" }).check();
    await pp.getByLabel("Your review").fill("Answered within a day, clearly and kindly explained.");
    await pp.getByRole("button", { name: "Post my review" }).click();
    const mine = pp.locator(".review", { hasText: "Answered within a day" });
    await mine.waitFor();
    expect(await mine.locator(".badge", { hasText: "Verified consultation" }).count()).toBe(1);

    // A review by someone who never consulted this doctor carries no badge.
    const other = await patient("Otto Other");
    await other.s.page.goto(`/doctors/${dr.profileId}`);
    await other.s.page.getByRole("radio", { name: "5 stars" }).check();
    await other.s.page
      .getByLabel("Your review")
      .fill("Friendly clinic staff and short waiting times.");
    await other.s.page.getByRole("button", { name: "Post my review" }).click();
    const theirs = other.s.page.locator(".review", { hasText: "Friendly clinic staff" });
    await theirs.waitFor();
    expect(await theirs.locator(".badge", { hasText: "Verified consultation" }).count()).toBe(0);
    await theirs.locator(".badge", { hasText: "No consultation through HemaLink" }).waitFor();

    // The admin's monitoring page counts the answer against the model's class.
    const admin = await session(DEMO_ACCOUNTS.admin.email);
    await admin.page.goto("/admin/consultations");
    await admin.page.getByRole("heading", { name: "Consultation monitoring" }).waitFor();
    const cell = admin.page
      .locator("table.confusion tbody tr")
      .filter({
        has: admin.page.getByRole("rowheader", { name: CLASS_LABELS[modelClass], exact: true }),
      })
      .locator("td")
      .nth(CLASS_IDS.indexOf(doctorClass));
    expect(Number(await cell.innerText())).toBeGreaterThanOrEqual(1);
    expect(await seriousA11yViolations(admin.page)).toEqual([]);
  });

  test("another doctor gets 404 on the case; after the patient revokes, the first doctor does too; messages render as text", async () => {
    const p = await patient("Pia Revoke");
    const dr = await doctor("Jon First");
    const outsider = await doctor("Kai Outsider");
    const id = await share(p.s.page, await upload(p.s.page), dr);

    for (const path of [`/doctor/cases/${id}`, `/doctor/cases/${id}/image/original`]) {
      expect((await outsider.s.page.request.get(path)).status()).toBe(404);
    }
    const page404 = await outsider.s.page.goto(`/doctor/cases/${id}`);
    expect(page404?.status()).toBe(404);

    // A message with HTML in it is shown as the text the patient typed.
    const html = `<img src=x onerror="document.title='pwned'"><b>bold?</b>`;
    await p.s.page.getByLabel("Write a message").fill(html);
    await p.s.page.getByRole("button", { name: "Send message" }).click();
    await p.s.page.locator(".thread .message").first().waitFor();
    await dr.s.page.goto(`/doctor/cases/${id}`);
    const message = dr.s.page.locator(".thread .message").first();
    expect(await message.locator("p.prewrap").innerText()).toBe(html);
    expect(await message.locator("b, img").count()).toBe(0);
    expect(await dr.s.page.title()).not.toBe("pwned");

    await p.s.page.goto(`/consultations/${id}`);
    await p.s.page.getByText("End Dr Jon First’s access to this case").click();
    await p.s.page.getByRole("button", { name: "End access" }).click();
    await p.s.page.getByText("Waiting for the doctor · access ended").waitFor();

    for (const path of [`/doctor/cases/${id}`, `/doctor/cases/${id}/image/original`]) {
      expect((await dr.s.page.request.get(path)).status()).toBe(404);
    }
    await dr.s.page.goto("/doctor/cases");
    expect(await dr.s.page.getByText("Pia Revoke").count()).toBe(0);
  });

  test("the patient withdraws a request before an answer; a declined request shows the reason", async () => {
    const p = await patient("Wanda Withdraw");
    const dr = await doctor("Lea Decline");
    const analysisId = await upload(p.s.page);
    const first = await share(p.s.page, analysisId, dr);
    await p.s.page.getByRole("button", { name: "Withdraw the request" }).click();
    await p.s.page.getByText("Withdrawn", { exact: true }).waitFor();
    expect((await dr.s.page.request.get(`/doctor/cases/${first}`)).status()).toBe(404);

    const second = await share(p.s.page, analysisId, dr);
    const { page } = dr.s;
    await page.goto(`/doctor/cases/${second}`);
    await page.getByRole("button", { name: "Decline" }).click();
    await page.getByText("Give the patient a reason").waitFor();
    await page
      .getByLabel("Reason for declining")
      .fill("I only see adult patients; a pediatric hematologist is the right person.");
    await page.getByRole("button", { name: "Decline" }).click();
    await page.getByText("You declined:").waitFor();

    await p.s.page.goto(`/consultations/${second}`);
    await p.s.page.getByText("Dr Lea Decline declined:").waitFor();
    await p.s.page.getByText("I only see adult patients").waitFor();
    await p.s.page.getByRole("link", { name: "Find another hematologist" }).waitFor();
    expect(await seriousA11yViolations(p.s.page)).toEqual([]);
  });
});
