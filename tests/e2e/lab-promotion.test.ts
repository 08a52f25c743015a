import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { browserSessions } from "./browser";
import {
  account,
  ADMIN,
  analysedVersion as analysedVersionBy,
  EARLIER,
  restoreShipped,
  SHIPPED,
  useVersion as useVersionBy,
} from "./lab-stories";

const session = browserSessions();
let files: string;

beforeAll(() => {
  files = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-lab-promotion-"));
});
// These stories change the model in use for the whole server: whatever happened in them, the
// next test file finds the shipped version in use.
afterAll(async () => {
  await restoreShipped();
  fs.rmSync(files, { recursive: true, force: true });
});

const models = () => process.env.MODELS_DIR!;
const analysedVersion = () => analysedVersionBy(session, files);
const useVersion = (version: string) => useVersionBy(session, version);

describe("the model in use, changed from the lab", () => {
  test("an admin rolls back to an earlier version with a typed confirmation; the next analysis and the about page carry it without a restart; then back", async () => {
    expect(await analysedVersion()).toBe(SHIPPED);

    const page = await useVersion(EARLIER);
    await page.goto("/about/model");
    await page.getByText(`Model version ${EARLIER}`).waitFor();
    await page.getByText(/In use since/).waitFor();
    expect(await analysedVersion()).toBe(EARLIER);

    await useVersion(SHIPPED);
    expect(await analysedVersion()).toBe(SHIPPED);
    expect(JSON.parse(fs.readFileSync(path.join(models(), "current.json"), "utf8"))).toEqual({
      version: SHIPPED,
    });
  }, 240_000);

  test("a researcher sees the versions but cannot change the model in use: no form, and a forced post is refused", async () => {
    const { page } = await session(await account("researcher"));
    await page.goto("/admin/models");
    await page.getByRole("heading", { name: "Model lab" }).waitFor();
    await page.getByRole("link", { name: EARLIER, exact: true }).click();
    await page.getByRole("heading", { name: EARLIER }).waitFor();
    expect(await page.getByLabel("Confirmation").count()).toBe(0);
    const response = await page.request.post(`/admin/models/versions/${EARLIER}`, {
      form: { intent: "rollback", confirmation: `use ${EARLIER}` },
      headers: { Origin: new URL(page.url()).origin },
    });
    expect(response.status()).toBe(403);
    const patient = await session(await account("patient"));
    const refused = await patient.page.request.post(`/admin/models/versions/${EARLIER}`, {
      form: { intent: "rollback", confirmation: `use ${EARLIER}` },
      headers: { Origin: new URL(page.url()).origin },
    });
    expect(refused.status()).toBe(404);
    expect(await analysedVersion()).toBe(SHIPPED);
  }, 120_000);

  test("a version with a missing weight file says what is wrong and cannot be put back in use", async () => {
    const broken = "2026-12-01-broken-copy";
    const dir = path.join(models(), broken);
    fs.cpSync(path.join(models(), EARLIER), dir, { recursive: true });
    for (const file of ["runtime.json", "model-card.json"]) {
      const json = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as object;
      fs.writeFileSync(path.join(dir, file), JSON.stringify({ ...json, version: broken }));
    }
    fs.rmSync(path.join(dir, "weights.bin"));
    try {
      const { page } = await session(ADMIN);
      await page.goto(`/admin/models/versions/${broken}`);
      await page
        .getByRole("list", { name: "What is wrong with this version" })
        .getByText("the weight file weights.bin is missing")
        .waitFor();
      expect(await page.getByRole("button", { name: `Use ${broken}` }).isDisabled()).toBe(true);
      // Past the disabled button, the server refuses it with its reasons.
      const response = await page.request.post(`/admin/models/versions/${broken}`, {
        form: { intent: "rollback", confirmation: `use ${broken}` },
        headers: { Origin: new URL(page.url()).origin },
      });
      expect(response.status()).toBe(422);
      expect(await response.text()).toMatch(/weights\.bin is missing/);
      expect(await analysedVersion()).toBe(SHIPPED);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
