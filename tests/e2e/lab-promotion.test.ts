import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createAccount } from "~/auth/accounts.server";
import { assessableSmear } from "../uploads/assessable";
import { browserSessions } from "./browser";

const ADMIN = "admin@demo.hemalink.test";
/** The version the repository ships, and the one shipped before it (kept for rollback). */
const SHIPPED = (
  JSON.parse(fs.readFileSync("public/models/current.json", "utf8")) as { version: string }
).version;
const EARLIER = "2026-12-01-normalised-cnn128";

const session = browserSessions();
let files: string;

beforeAll(() => {
  files = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-lab-promotion-"));
});
afterAll(() => fs.rmSync(files, { recursive: true, force: true }));

const models = () => process.env.MODELS_DIR!;
const unique = (role: string) =>
  `${role}-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@example.test`;

async function account(role: "patient" | "researcher") {
  const email = unique(role);
  await createAccount({ name: `Story ${role}`, email, password: "story test passphrase", role });
  return email;
}

/** A new analysis by a new patient, and the model version its result page names. */
async function analysedVersion(): Promise<string> {
  const { page } = await session(await account("patient"));
  const file = path.join(files, `smear-${Date.now()}.jpg`);
  fs.writeFileSync(file, (await assessableSmear(3, 448, "jpeg")).bytes);
  await page.goto("/analyses/new");
  await page.getByLabel("Smear image").setInputFiles(file);
  await page.getByRole("button", { name: "Upload and analyse" }).click();
  await page.waitForURL(/\/analyses\/[\w-]{36}$/);
  const id = new URL(page.url()).pathname.split("/").pop()!;
  const api = await (await page.request.get(`/api/analyses/${id}`)).json();
  await page
    .getByText(`Model version ${api.modelVersion as string}`)
    .first()
    .waitFor();
  return api.modelVersion as string;
}

async function useVersion(version: string) {
  const { page } = await session(ADMIN);
  await page.goto("/admin/models");
  await page.getByRole("link", { name: version, exact: true }).click();
  await page.getByRole("heading", { name: version }).waitFor();
  // The second step: nothing changes until the phrase is typed.
  await page.getByRole("button", { name: `Use ${version}` }).click();
  await page.getByRole("alert").filter({ hasText: "Type the phrase shown above" }).waitFor();
  await page.getByLabel("Confirmation").fill("yes");
  await page.getByRole("button", { name: `Use ${version}` }).click();
  await page
    .getByRole("alert")
    .filter({ hasText: `Type “use ${version}” to confirm.` })
    .waitFor();
  await page.getByLabel("Confirmation").fill(`use ${version}`);
  await page.getByRole("button", { name: `Use ${version}` }).click();
  await page
    .getByRole("status")
    .filter({ hasText: `${version} is now the model in use` })
    .waitFor();
  const versions = page.getByRole("region", { name: "Model versions" });
  await versions.getByRole("row", { name: new RegExp(`^${version} in use`) }).waitFor();
  await page
    .getByRole("list", { name: "Changes of the model in use" })
    .getByText(version)
    .first()
    .waitFor();
  return page;
}

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
