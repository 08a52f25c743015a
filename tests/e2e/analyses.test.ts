import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { getDb } from "#db/client";
import { analyses } from "#db/schema";
import { assessableSmear, eyepieceSmear } from "../uploads/assessable";
import { smearLikeImage } from "../uploads/images";
import { seriousA11yViolations } from "./axe";
import { baseUrl, browserSessions, sessionPerTest, type Session } from "./browser";
import {
  registerThroughForm,
  scratchFolder,
  storedImages,
  uniqueEmail,
  uploadThroughForm,
} from "./stories";

const sessions = browserSessions();
const session = sessionPerTest(undefined, sessions);
const files = scratchFolder("uploads");

async function writeFile(name: string, bytes: Buffer | string) {
  const file = path.join(files, name);
  fs.writeFileSync(file, bytes);
  return file;
}

async function registerPatient(session: Session) {
  await registerThroughForm(session.page, {
    name: "Upload Tester",
    email: uniqueEmail("patient"),
    password: "upload test passphrase",
  });
}

async function uploadSmear(session: Session, file: string) {
  return uploadThroughForm(session.page, file);
}

const storedImageFiles = async () =>
  [...(await storedImages()).values()].reduce((sum, files) => sum + files, 0);

describe("the patient's analysis", () => {
  test("a new patient uploads a smear, reads the result, history, report and FHIR, then deletes it", async () => {
    const { page } = session;
    await registerPatient(session);
    const id = await uploadSmear(
      session,
      await writeFile("smear.jpg", (await assessableSmear(3, 448, "jpeg")).bytes),
    );

    await page
      .getByText("Preliminary — informational, not a diagnosis; a hematologist must confirm.")
      .waitFor();
    const api = await page.request.get(`/api/analyses/${id}`);
    expect(api.status()).toBe(200);
    const result = await api.json();
    const sum = Object.values(result.probabilities as Record<string, number>).reduce(
      (a, b) => a + b,
      0,
    );
    expect(Object.keys(result.probabilities).sort()).toEqual([
      "benign",
      "early_pre_b",
      "pre_b",
      "pro_b",
    ]);
    expect(Math.abs(sum - 1)).toBeLessThan(0.01);
    expect(result.verdict).toBe("ok");
    await page.getByText("The image most resembles").waitFor();
    expect(await page.locator(".probability").count()).toBe(4);
    // The viewer blends the heat-map over the image; "Image only" takes it away.
    await page.locator(".viewer-heatmap").waitFor();
    await page.getByLabel("Image only").check();
    await page.locator(".viewer-heatmap").waitFor({ state: "detached" });
    const heatmap = await page.request.get(`/analyses/${id}/image/heatmap`);
    expect(heatmap.headers()["content-type"]).toBe("image/png");
    expect((await sharp(await heatmap.body()).metadata()).hasAlpha).toBe(true);
    await page.getByRole("link", { name: "Find hematologists near me" }).waitFor();
    // The model card as a page, linked from every result.
    await page.getByRole("link", { name: "how the model works and how well" }).click();
    await page
      .getByRole("heading", { name: "How the staging model works, and how well" })
      .waitFor();
    await page.getByRole("table", { name: /Confusion matrix/ }).waitFor();
    await page.getByText(/DOI 10\.34740\/KAGGLE\/DSV\/2175623/).waitFor();
    await page.goBack();

    const image = await page.request.get(`/analyses/${id}/image/original`);
    expect(image.headers()["cache-control"]).toBe("private, no-store");
    expect(image.headers()["content-type"]).toBe("image/jpeg");
    expect(image.headers()["x-content-type-options"]).toBe("nosniff");

    await page.getByRole("link", { name: "My analyses" }).click();
    await page.locator(`a[href="/analyses/${id}"]`).waitFor();
    await page.goto(`/analyses/${id}/report`);
    await page.getByRole("heading", { name: "HemaLink smear analysis report" }).waitFor();
    // Printed, the report shows the heat-map with its legend and no form control.
    await page.emulateMedia({ media: "print" });
    expect(await page.getByLabel("Show heat-map").isVisible()).toBe(false);
    expect(await page.locator(".heatmap-legend").isVisible()).toBe(true);
    expect(await page.locator(".heatmap-overlay").isVisible()).toBe(true);
    await page.emulateMedia({ media: "screen" });
    const fhir = await (await page.request.get(`/analyses/${id}/fhir`)).json();
    expect(fhir).toMatchObject({ resourceType: "DiagnosticReport", status: "preliminary" });

    await page.goto(`/analyses/${id}`);
    await page.getByText("Delete this analysis").click();
    await page.getByRole("button", { name: "Delete permanently" }).click();
    await page.waitForURL("**/analyses");
    await page.getByText("You have no analyses yet.").waitFor();
    expect((await page.request.get(`/analyses/${id}/image/original`)).status()).toBe(404);
  });

  test("an image that is not a smear gets can't assess, with reasons and advice, and no staging", async () => {
    const { page } = session;
    await registerPatient(session);
    const text = await sharp(
      Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="100%" height="100%" fill="white"/><text x="20" y="150" font-size="40">Not a smear</text></svg>`,
      ),
    )
      .png()
      .toBuffer();
    const id = await uploadSmear(session, await writeFile("text.png", text));
    await page.getByRole("heading", { name: "We can't assess this image" }).waitFor();
    await page.getByText("This does not look like a stained peripheral blood smear").waitFor();
    expect(await page.locator(".probability").count()).toBe(0);
    const api = await (await page.request.get(`/api/analyses/${id}`)).json();
    expect(api.verdict).toBe("cant_assess");
    expect(api.reasons).toContain("not_smear");
    // The refusal leads to the capture guide, and to a hematologist.
    await page.getByRole("link", { name: "Share with a hematologist" }).waitFor();
    await page.getByRole("link", { name: "Capture guide" }).click();
    await page.getByRole("heading", { name: /Capture guide/ }).waitFor();
    await page.getByRole("heading", { name: "Holding a phone to the eyepiece" }).waitFor();
  });

  test("a phone photo through the eyepiece is normalised and staged, with what was measured", async () => {
    const { page } = session;
    await registerPatient(session);
    const { bytes } = await eyepieceSmear();
    const id = await uploadSmear(session, await writeFile("eyepiece.jpg", bytes));
    await page.locator(".probability").first().waitFor();
    await page.getByText("What was measured in the photo").click();
    await page.getByText("round eyepiece field (outside excluded)").waitFor();
    const api = await (await page.request.get(`/api/analyses/${id}`)).json();
    expect(api.verdict).toBe("ok");
    expect(api.capture.field).toBe("circle");
    expect(api.capture.redCells).toBeGreaterThan(10);
  });

  test("another patient gets 404 everywhere; an anonymous visitor is sent to login", async () => {
    await registerPatient(session);
    const id = await uploadSmear(
      session,
      await writeFile("mine.png", await smearLikeImage(256, 256, "png")),
    );

    const other = await sessions();
    await registerPatient(other);
    const urls = [
      `/analyses/${id}`,
      `/analyses/${id}/image/original`,
      `/analyses/${id}/image/thumbnail`,
      `/analyses/${id}/image/heatmap`,
      `/analyses/${id}/report`,
      `/analyses/${id}/fhir`,
      `/api/analyses/${id}`,
    ];
    for (const url of urls) {
      expect({ url, status: (await other.page.request.get(url)).status() }).toEqual({
        url,
        status: 404,
      });
    }
    await other.context.close();

    const anonymous = await sessions();
    await anonymous.page.goto(`/analyses/${id}`);
    expect(new URL(anonymous.page.url()).pathname).toBe("/login");
    await anonymous.context.close();
  });

  test("without JavaScript, a form sent without a file and a non-image get their messages", async () => {
    const plain = await sessions(undefined, { javaScript: false });
    try {
      await registerPatient(plain);
      const { page } = plain;
      await page.goto("/analyses/new");
      await page.getByRole("button", { name: "Upload and analyse" }).click();
      await page.getByText("Choose a photo of the smear first.").waitFor();
      await page.getByLabel("Smear image").setInputFiles(await writeFile("notes.txt", "hello"));
      await page.getByRole("button", { name: "Upload and analyse" }).click();
      await page.getByText("This file is not a JPEG, PNG, WebP or TIFF image.").waitFor();
    } finally {
      await plain.context.close();
    }
  });

  test("each bad file gets its message and leaves no row and no file", async () => {
    await registerPatient(session);
    const { page } = session;
    const jpeg = await smearLikeImage(400, 400);
    const cases: [string, Buffer | string, RegExp][] = [
      ["notes.txt", "just some text", /not a JPEG, PNG, WebP or TIFF/],
      ["page.jpg", "<html><body>hello</body></html>", /not a JPEG, PNG, WebP or TIFF/],
      ["drawing.png", '<svg xmlns="http://www.w3.org/2000/svg"/>', /not a JPEG, PNG, WebP or TIFF/],
      ["truncated.jpg", jpeg.subarray(0, jpeg.length / 2), /damaged/],
      ["empty.jpg", Buffer.alloc(0), /empty/],
      ["tiny.jpg", await smearLikeImage(32, 32), /too small/],
      [
        "flood.png",
        await sharp({ create: { width: 8000, height: 6000, channels: 3, background: "#000" } })
          .png()
          .toBuffer(),
        /40 megapixels/,
      ],
    ];
    const rowsBefore = (await getDb().select().from(analyses)).length;
    const filesBefore = await storedImageFiles();
    for (const [name, bytes, message] of cases) {
      await page.goto("/analyses/new");
      await page.getByLabel("Smear image").setInputFiles(await writeFile(name, bytes));
      await page.getByRole("button", { name: "Upload and analyse" }).click();
      await page.getByText(message).waitFor();
      expect(new URL(page.url()).pathname).toBe("/analyses/new");
    }
    // Over 15 MB is refused while streaming (no browser needed to prove it).
    const cookie = (await session.context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const form = new FormData();
    form.set("smear", new Blob([Buffer.alloc(16 * 1024 * 1024, 0xff)]), "huge.jpg");
    const huge = await fetch(`${baseUrl()}/api/analyses`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: baseUrl() },
      body: form,
    });
    expect(huge.status).toBe(413);
    expect(JSON.stringify(await huge.json())).toMatch(/larger than 15 MB/);

    expect(await getDb().select().from(analyses)).toHaveLength(rowsBefore);
    expect(await storedImageFiles()).toBe(filesBefore);
  });

  test("the upload and result pages work at phone size with no serious accessibility violations", async () => {
    const { page } = session;
    await page.setViewportSize({ width: 375, height: 740 });
    await registerPatient(session);
    await page.goto("/analyses/new");
    expect(await seriousA11yViolations(page)).toEqual([]);
    await uploadSmear(session, await writeFile("phone.jpg", await smearLikeImage(300, 300)));
    expect(await seriousA11yViolations(page)).toEqual([]);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
