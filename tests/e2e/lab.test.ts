import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { labelledFiles, labelledSmear, zipOf } from "../lab/archives";
import { browserSessions, sessionPerTest } from "./browser";
import { ADMIN, analysedVersion, SHIPPED } from "./lab-stories";

const sessions = browserSessions();
const session = sessionPerTest(ADMIN, sessions);
let files: string;

beforeAll(() => {
  files = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-lab-"));
});
afterAll(() => fs.rmSync(files, { recursive: true, force: true }));

const zipPayload = (name: string, bytes: Buffer) => ({
  name,
  mimeType: "application/zip",
  buffer: bytes,
});

const labFolders = () => {
  const root = path.join(process.env.DATA_DIR!, "lab");
  return ["incoming", "datasets"].flatMap((sub) =>
    fs.existsSync(path.join(root, sub)) ? fs.readdirSync(path.join(root, sub)) : [],
  );
};

async function upload(name: string, bytes: Buffer) {
  const { page } = session;
  await page.goto("/admin/models/datasets");
  await page.getByLabel("Zip archive").setInputFiles(zipPayload(name, bytes));
  await page.getByRole("button", { name: "Upload and check" }).click();
}

describe("the model lab's datasets", () => {
  test("an admin uploads a generated labelled dataset, reads the validation report and accepts it", async () => {
    const { page } = session;
    await page.goto("/admin");
    await page.getByRole("link", { name: "Model lab", exact: true }).click();
    await page.getByRole("heading", { name: "Model lab" }).waitFor();
    await page.getByRole("link", { name: /^Datasets/ }).click();

    const files: Record<string, Buffer | string> = await labelledFiles(4, 128);
    files["Pro/Pro_005.jpg"] = files["Pro/Pro_001.jpg"]!;
    files["Early/notes.jpg"] = "not an image";
    await page.getByLabel("Name (optional)").fill("Generated smears");
    await page.getByLabel("Zip archive").setInputFiles(zipPayload("smears.zip", zipOf(files)));
    await page.getByRole("button", { name: "Upload and check" }).click();
    await page.waitForURL(/\/admin\/models\/datasets\/[\w-]{36}$/);

    await page.getByRole("heading", { name: "Generated smears" }).waitFor();
    await page.getByText("Waiting for review").waitFor();
    const perClass = page.getByRole("table", { name: /Images per class/ });
    await expect(perClass.getByRole("row", { name: /^Pro\// }).textContent()).resolves.toMatch(
      /Pro\/ — Pro-B ALL5/,
    );
    await page.getByText("1 exact duplicates").waitFor();
    await page.getByText(/Early\/notes\.jpg: not an image/).waitFor();
    await page.getByText(/Red-cell diameter measured on \d+ images/).waitFor();
    await page.getByText(/images pass the smear check/).waitFor();

    await page.getByRole("button", { name: "Accept for training" }).click();
    await page.getByText("Accepted", { exact: true }).waitFor();
    await page.getByRole("link", { name: "Datasets" }).click();
    await page.getByRole("link", { name: "Generated smears" }).waitFor();
  });

  test("each bad archive is refused with its reason and leaves nothing on the server", async () => {
    const { page } = session;
    const before = labFolders().length;
    const smear = await labelledSmear("Benign", 1, 128);
    const refusals: [string, Buffer, RegExp][] = [
      [
        "traversal.zip",
        zipOf({ "Benign/b_1.jpg": smear, "../outside.jpg": smear }),
        /path leaves its folder/,
      ],
      [
        "nested.zip",
        zipOf({ "Benign/inner.zip": zipOf({ "Benign/b_1.jpg": smear }) }),
        /another archive/,
      ],
      [
        "bomb.zip",
        zipOf({ "Benign/b_1.jpg": smear, "Benign/huge.tif": new Uint8Array(16 * 1024 * 1024) }),
        /zip bomb/,
      ],
      ["layout.zip", zipOf({ "cats/c_1.jpg": smear }), /Wrong folder layout/],
      ["text.zip", Buffer.from("this is not a zip"), /not a zip archive/],
    ];
    for (const [name, bytes, message] of refusals) {
      await upload(name, bytes);
      await page.getByRole("alert").filter({ hasText: message }).waitFor();
      expect(labFolders().length).toBe(before);
    }
  });

  test("an admin trains a small candidate on two datasets, watches its curves move, compares it with the model in use, and the promotion rule keeps the unfit candidate out", async () => {
    const { page } = session;
    // Two wards' smears: the first ten of each class, and the next five.
    const later = Object.entries(await labelledFiles(15, 128)).filter(([name]) =>
      /_0(1[1-5])\.jpg$/.test(name),
    );
    for (const [name, files, perClass] of [
      ["ward-a", await labelledFiles(10, 128), 10],
      ["ward-b", Object.fromEntries(later), 5],
    ] as const) {
      await page.goto("/admin/models/datasets");
      await page.getByLabel("Name (optional)").fill(name);
      await page.getByLabel("Zip archive").setInputFiles(zipPayload(`${name}.zip`, zipOf(files)));
      await page.getByRole("button", { name: "Upload and check" }).click();
      await page.waitForURL(/\/admin\/models\/datasets\/[\w-]{36}$/);
      // The validation report comes before anything is accepted.
      const perClassTable = page.getByRole("table", { name: /Images per class/ });
      await expect(
        perClassTable.getByRole("row", { name: /^Early\// }).textContent(),
      ).resolves.toMatch(new RegExp(`Early/ — Early pre-B ALL${perClass}`));
      await page.getByRole("button", { name: "Accept for training" }).click();
      await page.getByText("Accepted", { exact: true }).waitFor();
    }

    // Both datasets, and a fixed tiny recipe: narrow network, two epochs, seed 1, no jitter,
    // blocks of one file.
    await page.goto("/admin/models/jobs");
    const datasets = page.getByRole("group", { name: /^Datasets/ });
    await datasets.getByLabel("ward-a (40 images)").check();
    await datasets.getByLabel("ward-b (20 images)").check();
    await page.getByLabel("Architecture").selectOption("narrow");
    await page.getByLabel("Epochs").fill("2");
    await page.getByLabel("Seed").fill("1");
    await page.getByLabel("Files per split block").fill("1");
    await page.getByLabel(/Colour and stain jitter/).uncheck();
    await page.getByRole("button", { name: "Start training" }).click();
    await page.waitForURL(/\/admin\/models\/jobs\/[\w-]{36}$/);
    await page.getByText("Datasets, each split on its own").waitFor();
    await page.getByRole("link", { name: "ward-a", exact: true }).waitFor();
    await page.getByRole("link", { name: "ward-b", exact: true }).waitFor();
    const version = (await page.getByRole("heading", { level: 1 }).textContent())!.trim();
    expect(version).toMatch(/^lab-\d{8}-\d{4}-[0-9a-f]{6}$/);

    // Batches and epochs arrive through the event stream, without reloading the page: the
    // status names a batch of the first epoch, and later the first epoch's row appears.
    const status = page.getByRole("status");
    await status.filter({ hasText: /epoch 1 of 2, batch \d+ of \d+ · [\d.]+ images\/s/ }).waitFor({
      timeout: 120_000,
    });
    await page.locator(".uplot").first().waitFor();
    const epochs = page.getByRole("region", { name: "Epochs" });
    await epochs.getByRole("row", { name: /^1 / }).waitFor({ timeout: 120_000 });
    await status.filter({ hasText: "Finished" }).waitFor({ timeout: 180_000 });
    await epochs.getByRole("row", { name: /^2 / }).waitFor();

    // Compare: the candidate beside the model in use, on the same test images, and the rule.
    await page.getByRole("heading", { name: "Compare with the model in use" }).waitFor();
    const compared = page.getByRole("region", { name: "The candidate beside the model in use" });
    await compared.getByRole("row", { name: /^Leukaemic smears called benign/ }).waitFor();
    await page.getByRole("region", { name: "Confusion matrix of the model in use" }).waitFor();
    const rule = page.getByRole("region", { name: "Promotion rule" });
    await rule
      .getByRole("row", { name: /^Both models measured on the same test images/ })
      .waitFor();
    // The candidate's model card names both datasets and the split made in each.
    const jobId = new URL(page.url()).pathname.split("/").pop()!;
    const card = JSON.parse(
      fs.readFileSync(
        path.join(process.env.DATA_DIR!, "lab", "jobs", jobId, version, "model-card.json"),
        "utf8",
      ),
    ) as { trainingData: { datasets: { name: string }[]; split: { method: string } } };
    expect(card.trainingData.datasets.map((d) => d.name).sort()).toEqual(["ward-a", "ward-b"]);
    expect(card.trainingData.split.method).toMatch(/^each dataset on its own: blocks of 1 /);
    // The curves stay after the end.
    await page.reload();
    await page.locator(".uplot").first().waitFor();
    expect(await epochs.getByRole("row").count()).toBe(3);

    // Two epochs of a narrow network do not make a model fit to use: the rule names the check
    // it fails, the button stays disabled, and a forced post with the phrase is refused.
    await rule
      .getByRole("row", { name: /^Calibration error \(ECE\) of the staged test images/ })
      .filter({ hasText: "fails" })
      .waitFor();
    expect(await page.getByRole("button", { name: `Promote ${version}` }).isDisabled()).toBe(true);
    await page.getByText("The button is enabled when every check passes").waitFor();
    const forced = await page.request.post(page.url(), {
      form: { intent: "promote", confirmation: `use ${version}` },
      headers: { Origin: new URL(page.url()).origin },
    });
    expect(forced.status()).toBe(422);
    expect(await forced.text()).toMatch(/does not pass the promotion rule: Calibration error/);
    expect(await analysedVersion(sessions, files)).toBe(SHIPPED);
  }, 300_000);
});
