import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { DOCTOR_CLASS_LABELS } from "~/consultations/vocabulary";
import { makeCertifiedDoctor } from "../helpers";
import { assessableSmear } from "../uploads/assessable";
import { seriousA11yViolations } from "./axe";
import { browserSessions } from "./browser";
import { namedPatient, rename, scratchFolder, screenshots, uploadThroughForm } from "./stories";

/** Set to a folder to keep screenshots of the case view and the result at 390 and 1280 px. */
const sessions = browserSessions();
const files = scratchFolder("workstation");

const session = (email: string, javaScript = true) => sessions(email, { javaScript });

/** The transform panzoom gave each pane's stage ("" before any). */
const transforms = (page: Page) =>
  page
    .locator(".viewer-stage")
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).style.transform));

/** The scale of the first pane, from its transform. */
async function scaleOf(page: Page) {
  const [transform] = await transforms(page);
  return Number(/scale\(([\d.]+)\)/.exec(transform ?? "")?.[1] ?? 1);
}

/** The viewer is interactive once the pan-zoom library is attached to each of its panes. */
async function viewerReady(page: Page, panes = 1) {
  await page.locator(`.viewer-panes[data-attached="${panes}"]`).waitFor();
  await page.locator(".image-viewer.interactive .viewer-zoom", { hasText: "%" }).waitFor();
}

async function viewportBox(page: Page, index = 0) {
  const pane = page.locator(".viewer-viewport").nth(index);
  await pane.scrollIntoViewIfNeeded();
  const box = await pane.boundingBox();
  if (!box) throw new Error("no viewer on the page");
  return box;
}

describe("the review workstation", () => {
  test("a doctor zooms, pans, compares side by side and blended, answers 'other leukaemia suspected' with morphology and advice; the patient reads the advice first; the report prints both", async () => {
    const p = await namedPatient(session, "Lena Patient");
    const { user: drUser, profile } = await makeCertifiedDoctor({
      title: "Dr",
      offersTeleconsultation: true,
      clinicName: "Workstation clinic",
      city: "Paris",
      country: "FR",
    });
    await rename(drUser.id, "Mara Morph");
    const drName = "Dr Mara Morph";

    // The patient uploads a 1,024-pixel smear and shares it.
    const file = path.join(files, "smear.jpg");
    fs.writeFileSync(file, (await assessableSmear(70, 1024, "jpeg")).bytes);
    const pp = p.s.page;
    const analysisId = await uploadThroughForm(pp, file);
    await pp.goto(`/consultations/new?doctor=${profile.id}&analysis=${analysisId}`);
    await pp
      .getByLabel("Your message to the doctor")
      .fill("Our GP saw unusual cells. Is this worrying, and what test should come next?");
    await pp.getByLabel(`${drName} may see this image and result.`).check();
    await pp.getByRole("button", { name: `Send to ${drName}` }).click();
    await pp.waitForURL(/\/consultations\/[\w-]{36}$/);
    const id = new URL(pp.url()).pathname.split("/").pop()!;

    // The doctor opens the case: the viewer shows the stored original at full resolution.
    const dr = await session(drUser.email);
    const page = dr.page;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`/doctor/cases/${id}`);
    await viewerReady(page);
    const natural = await page
      .locator(".viewer-stage img")
      .first()
      .evaluate((img) => (img as HTMLImageElement).naturalWidth);
    expect(natural).toBe(1024);
    expect(await page.getByText("Little influence", { exact: false }).count()).toBeGreaterThan(0);

    // Buttons: zoom in, then 100 % shows one image pixel per screen pixel, Fit goes back.
    await page.getByRole("button", { name: /Zoom in/ }).click();
    await expect.poll(() => scaleOf(page)).toBeGreaterThan(1);
    await page.getByRole("button", { name: "100 %" }).click();
    await page.locator(".viewer-zoom", { hasText: "100 % of full resolution" }).waitFor();
    await page.getByRole("button", { name: "Fit" }).click();
    await expect.poll(() => scaleOf(page)).toBe(1);

    // The wheel zooms at the pointer; a drag pans.
    const box = await viewportBox(page);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await expect.poll(() => scaleOf(page)).toBeGreaterThan(1);
    const beforeDrag = (await transforms(page))[0];
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => (await transforms(page))[0]).not.toBe(beforeDrag);

    // Keys: 0 fits, + zooms, an arrow pans.
    const viewer = page.getByRole("group", { name: "Image viewer" });
    await viewer.focus();
    await page.keyboard.press("0");
    await expect.poll(() => scaleOf(page)).toBe(1);
    await page.keyboard.press("+");
    await page.keyboard.press("+");
    await expect.poll(() => scaleOf(page)).toBeGreaterThan(1.5);
    const zoomed = await scaleOf(page);
    const beforeArrow = (await transforms(page))[0];
    await page.keyboard.press("ArrowRight");
    await expect.poll(async () => (await transforms(page))[0]).not.toBe(beforeArrow);
    await page.keyboard.press("-");
    await expect.poll(() => scaleOf(page)).toBeLessThan(zoomed);

    // Side by side: two panes with the same zoom and pan, whichever pane is dragged.
    await page.getByLabel("Side by side").check();
    await viewerReady(page, 2);
    await page.getByRole("button", { name: /Zoom in/ }).click();
    await expect.poll(() => scaleOf(page)).toBeGreaterThan(1);
    await expect.poll(async () => new Set(await transforms(page)).size).toBe(1);
    const [left] = await transforms(page);
    const second = await viewportBox(page, 1);
    await page.mouse.move(second.x + second.width / 2, second.y + second.height / 2);
    await page.mouse.down();
    await page.mouse.move(second.x + second.width / 2 + 80, second.y + second.height / 2 + 40, {
      steps: 5,
    });
    await page.mouse.up();
    // Dragged in the heat-map pane, the image pane follows.
    await expect.poll(async () => (await transforms(page))[0]).not.toBe(left);
    await expect.poll(async () => new Set(await transforms(page)).size).toBe(1);
    expect(await page.locator(".viewer-viewport").nth(1).locator(".viewer-heatmap").count()).toBe(
      1,
    );
    await screenshots(page, "case-side-by-side");

    // Blended: one pane, the heat-map over the image at the slider's opacity; legend kept.
    await page.getByLabel("Heat-map over the image").check();
    await viewerReady(page, 1);
    await page.getByLabel("Heat-map opacity").fill("80");
    await expect
      .poll(() => page.locator(".viewer-heatmap").evaluate((img) => getComputedStyle(img).opacity))
      .toBe("0.8");
    await page.locator(".image-viewer .heatmap-legend").waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    // On a phone the viewer fits the screen and a pinch zooms it.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.getByRole("button", { name: "Fit" }).click();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    const phone = await viewportBox(page);
    expect(phone.width).toBeLessThanOrEqual(390);
    const cdp = await dr.context.newCDPSession(page);
    await cdp.send("Input.synthesizePinchGesture", {
      x: phone.x + phone.width / 2,
      y: phone.y + phone.height / 2,
      scaleFactor: 2,
      gestureSourceType: "touch",
    });
    await expect.poll(() => scaleOf(page)).toBeGreaterThan(1.2);
    await page.getByRole("button", { name: "Fit" }).click();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "Accept the case" }).click();
    await page.getByRole("heading", { name: "Your assessment" }).waitFor();
    await viewerReady(page);
    await screenshots(page, "case-view");

    // The answer: a class beyond the model's four, the morphology, the advice apart.
    const other = DOCTOR_CLASS_LABELS.other_leukaemia_suspected;
    await page.getByLabel(other).check();
    await page.getByLabel("Morphology (for the record)").fill("Blasts");
    await page.getByLabel("Advice to the patient").fill("Please see a hematologist this week.");
    await page.getByLabel("Soon (within days)").check();
    await page.getByRole("button", { name: "Send my assessment" }).click();
    await page.getByText("Describe what you saw in the smear (at least 10 characters)").waitFor();
    const morphology =
      "Large blasts with fine chromatin, prominent nucleoli and a few Auer rods: myeloid rather than lymphoid.";
    const advice = "Please have a full blood count and flow cytometry at a hospital this week.";
    await page.getByLabel(other).check();
    await page.getByLabel("Morphology (for the record)").fill(morphology);
    await page.getByLabel("Advice to the patient").fill(advice);
    await page.getByLabel("Soon (within days)").check();
    await page.getByRole("button", { name: "Send my assessment" }).click();
    await page.getByRole("heading", { name: /Final — reviewed by Dr Mara Morph/ }).waitFor();
    await page.getByText(morphology).waitFor();

    // The patient's result leads with the final answer and the advice; the morphology follows.
    await pp.setViewportSize({ width: 1280, height: 900 });
    await pp.goto(`/analyses/${analysisId}`);
    const assessment = pp.locator(".assessment");
    await assessment.getByRole("heading", { name: /Final — reviewed by Dr Mara Morph/ }).waitFor();
    expect(
      await assessment.getByRole("row", { name: /Hematologist’s assessment/ }).innerText(),
    ).toContain(other);
    const text = await pp.locator("main").innerText();
    expect(text.indexOf("Final — reviewed by")).toBeLessThan(
      text.indexOf("Model’s preliminary output"),
    );
    expect(text.indexOf(advice)).toBeGreaterThan(-1);
    expect(text.indexOf(advice)).toBeLessThan(text.indexOf(morphology));
    expect(text.indexOf(morphology)).toBeLessThan(text.indexOf("Model’s preliminary output"));
    // The same viewer on the patient's page.
    await viewerReady(pp);
    await pp.getByRole("button", { name: /Zoom in/ }).click();
    await expect.poll(() => scaleOf(pp)).toBeGreaterThan(1);
    await pp.getByRole("button", { name: "Fit" }).click();
    expect(await seriousA11yViolations(pp)).toEqual([]);
    await screenshots(pp, "patient-result");

    // The history marks it Final with the new class.
    await pp.goto("/analyses");
    const entry = pp.locator(`a[href="/analyses/${analysisId}"]`);
    await entry.getByText("Final", { exact: true }).waitFor();
    expect(await entry.innerText()).toContain(other);

    // The printed report carries both texts and no form control.
    await pp.goto(`/analyses/${analysisId}/report`);
    await pp.getByRole("heading", { name: "Advice to the patient" }).waitFor();
    await pp.getByText(advice).waitFor();
    await pp.getByText(morphology).waitFor();
    await pp.emulateMedia({ media: "print" });
    const visibleControls = await pp
      .locator("input, button, select, textarea")
      .evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);
    expect(visibleControls).toBe(0);
    await pp.emulateMedia({ media: "screen" });

    // The FHIR export codes the answer and carries the morphology.
    const fhir = await (await pp.request.get(`/analyses/${analysisId}/fhir`)).json();
    const observation = fhir.contained.find(
      (r: { id: string }) => r.id === "hematologist-assessment",
    );
    expect(observation.valueCodeableConcept.coding[0].code).toBe("other_leukaemia_suspected");
    expect(fhir.conclusion).toContain(`Morphology: ${morphology}`);
  });

  test("without JavaScript the case shows the image, linked to the full resolution", async () => {
    const p = await namedPatient(session, "Nora Nojs");
    const { user: drUser, profile } = await makeCertifiedDoctor({
      title: "Dr",
      offersTeleconsultation: true,
    });
    const file = path.join(files, "smear-nojs.jpg");
    fs.writeFileSync(file, (await assessableSmear(90, 448, "jpeg")).bytes);
    const pp = p.s.page;
    const analysisId = await uploadThroughForm(pp, file);
    await pp.goto(`/consultations/new?doctor=${profile.id}&analysis=${analysisId}`);
    await pp.getByLabel("Your message to the doctor").fill("Please have a look at this smear.");
    await pp.getByRole("checkbox", { name: /may see this image and result/ }).check();
    await pp.getByRole("button", { name: /^Send to/ }).click();
    await pp.waitForURL(/\/consultations\/[\w-]{36}$/);
    const id = new URL(pp.url()).pathname.split("/").pop()!;

    const dr = await session(drUser.email, false);
    await dr.page.goto(`/doctor/cases/${id}`);
    const linked = dr.page.locator(`a[href="/doctor/cases/${id}/image/original"] img`).first();
    expect(await linked.getAttribute("alt")).toBe("The patient's smear image");
    await dr.page.getByRole("link", { name: "Open the full-resolution image" }).waitFor();
    expect(await dr.page.locator(".viewer-toolbar").count()).toBe(0);
  });
});
