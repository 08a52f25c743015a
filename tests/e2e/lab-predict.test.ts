import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { assessableSmear } from "../uploads/assessable";
import { browserSessions } from "./browser";
import { account, ADMIN, EARLIER, SHIPPED } from "./lab-stories";

const session = browserSessions();
let files: string;
const shots = process.env.E2E_SCREENSHOTS;

beforeAll(() => {
  files = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-lab-predict-"));
});
afterAll(() => fs.rmSync(files, { recursive: true, force: true }));

describe("predicting with any version on the lab page", () => {
  test("an admin runs an earlier version on an uploaded smear and sees it beside the model in use, as an analysis shows it", async () => {
    const smear = path.join(files, "smear.jpg");
    fs.writeFileSync(smear, (await assessableSmear(3, 448, "jpeg")).bytes);
    for (const width of shots ? [390, 1280] : [1280]) {
      const { page } = await session(ADMIN, { viewport: { width, height: 900 } });
      await page.goto("/admin/models");
      await page.getByRole("link", { name: "Predict with a version" }).click();
      await page.getByRole("heading", { name: "Predict with a version" }).waitFor();
      await page.getByLabel("Model version").selectOption(EARLIER);
      await page.getByLabel("Image file").setInputFiles(smear);
      await page.getByRole("button", { name: "Predict" }).click();
      await page.getByRole("heading", { name: /^Results on an uploaded image/ }).waitFor();

      const chosen = page.getByRole("region", { name: EARLIER, exact: true });
      const inUse = page.getByRole("region", { name: `${SHIPPED} (in use)` });
      for (const column of [chosen, inUse]) {
        await column.getByText(/Preliminary — informational, not a diagnosis/).waitFor();
        await column
          .getByRole("img", { name: /^The image, as / })
          .first()
          .waitFor();
      }
      // The model in use stages this smear: four probabilities and the heat-map, as on a result.
      await expect(inUse.locator(".probability").count()).resolves.toBe(4);
      await inUse.locator('img[src^="data:image/png"]').first().waitFor({ state: "attached" });
      if (shots) {
        fs.mkdirSync(shots, { recursive: true });
        await page.screenshot({
          path: path.join(shots, `lab-predict-${width}.png`),
          fullPage: true,
        });
      }
    }
  }, 120_000);

  test("a bad file gets the intake's refusal; a researcher may predict, a patient finds nothing there", async () => {
    const { page } = await session(ADMIN);
    const text = path.join(files, "notes.jpg");
    fs.writeFileSync(text, "this is not an image");
    await page.goto("/admin/models/predict");
    await page.getByLabel("Image file").setInputFiles(text);
    await page.getByRole("button", { name: "Predict" }).click();
    await page.getByText("This file is not a JPEG, PNG, WebP or TIFF image").waitFor();
    const origin = new URL(page.url()).origin;
    const refused = await page.request.post("/admin/models/predict", {
      multipart: {
        version: EARLIER,
        source: "upload",
        smear: { name: "notes.jpg", mimeType: "image/jpeg", buffer: Buffer.from("not an image") },
      },
      headers: { Origin: origin },
    });
    expect(refused.status()).toBe(415);

    const researcher = await session(await account("researcher"));
    await researcher.page.goto("/admin/models/predict");
    await researcher.page.getByRole("heading", { name: "Predict with a version" }).waitFor();

    const patient = await session(await account("patient"));
    const page404 = await patient.page.goto("/admin/models/predict");
    expect(page404?.status()).toBe(404);
    const post = await patient.page.request.post("/admin/models/predict", {
      multipart: {
        version: EARLIER,
        source: "upload",
        smear: { name: "s.jpg", mimeType: "image/jpeg", buffer: fs.readFileSync(text) },
      },
      headers: { Origin: origin },
    });
    expect(post.status()).toBe(404);
  }, 120_000);
});
