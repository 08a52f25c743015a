import fs from "node:fs";
import path from "node:path";
import { labelledFiles, labelledSmear, zipOf } from "../lab/archives";
import { sessionPerTest } from "./browser";

const ADMIN = "admin@demo.hemalink.test";
const session = sessionPerTest(ADMIN);

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
      /Pro\/ \(Pro-B ALL\)5/,
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

  test("an admin starts a short training job and watches its curves move until it finishes", async () => {
    const { page } = session;
    await upload("train.zip", zipOf(await labelledFiles(10, 128)));
    await page.waitForURL(/\/admin\/models\/datasets\/[\w-]{36}$/);
    await page.getByRole("button", { name: "Accept for training" }).click();
    await page.getByText("Accepted", { exact: true }).waitFor();

    await page.goto("/admin/models/jobs");
    await page.getByLabel("Architecture").selectOption("narrow");
    await page.getByLabel("Epochs").fill("2");
    await page.getByLabel("Files per split block").fill("1");
    await page.getByLabel(/Colour and stain jitter/).uncheck();
    await page.getByRole("button", { name: "Start training" }).click();
    await page.waitForURL(/\/admin\/models\/jobs\/[\w-]{36}$/);

    // Batches and epochs arrive through the event stream, without reloading the page.
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
    await page.getByLabel("Confirmation").waitFor();
    // The curves stay after the end.
    await page.reload();
    await page.locator(".uplot").first().waitFor();
    expect(await epochs.getByRole("row").count()).toBe(3);
  }, 300_000);
});
