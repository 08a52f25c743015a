import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getDb } from "#db/client";
import { auditLog, labDatasets } from "#db/schema";
import { eq } from "drizzle-orm";
import { vi } from "vitest";
import { DomainError } from "~/errors/domain-error";
import {
  acceptDataset,
  deleteDataset,
  getDataset,
  listDatasets,
  stageDataset,
} from "~/lab/datasets.server";
import { archiveLimits, MB } from "~/lab/limits";
import { CLASS_FOLDERS, classFolderLabel } from "~/lab/vocabulary";
import { loadDataset } from "../../scripts/model/dataset";
import { makeUser } from "../helpers";
import { labelledFiles, labelledSmear, zipOf } from "./archives";
import { inTransaction } from "~/data/unit-of-work.server";
import { getDatasetStore } from "~/lab/dataset-store.server";
import { incomingRoot } from "~/lab/upload.server";
import { fetchStored, storedIds } from "./stored";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lab-archives-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const limits = archiveLimits({ LAB_MAX_UPLOAD_MB: 50, LAB_MAX_UNZIPPED_MB: 50 });

let counter = 0;
function archiveFile(bytes: Buffer): string {
  const file = path.join(tmp, `upload-${++counter}.zip`);
  fs.writeFileSync(file, bytes);
  return file;
}

async function admin() {
  const user = await makeUser("admin");
  return { id: user.id, role: user.role };
}

/** What a refused upload must leave: no dataset row, no stored file, no working folder. */
async function expectNothingLeft() {
  expect(await getDb().select().from(labDatasets)).toEqual([]);
  expect(await storedIds()).toEqual([]);
  expect(fs.existsSync(incomingRoot()) ? fs.readdirSync(incomingRoot()) : []).toEqual([]);
}

async function refusal(files: Record<string, Uint8Array | string>, custom = limits) {
  const actor = await admin();
  const error = await stageDataset(
    actor,
    { archive: archiveFile(zipOf(files)), name: "refused" },
    custom,
  ).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DomainError);
  await expectNothingLeft();
  return error as DomainError;
}

afterEach(async () => {
  await inTransaction(({ tx }) => tx.delete(labDatasets));
  for (const id of await storedIds()) await getDatasetStore().deleteAll(id);
});

describe("an admin uploads a labelled dataset and reads its report before accepting it", () => {
  test("class folders: counts, left-out files with reasons, duplicates, sizes, red cells, smear check, split", async () => {
    const actor = await admin();
    const files: Record<string, Uint8Array | string> = await labelledFiles(6);
    files["Benign/Benign_007.jpg"] = files["Benign/Benign_001.jpg"]!;
    files["Pro/notes_001.jpg"] = "not an image at all";
    files["Pre/Pre_099.jpg"] = (files["Pre/Pre_001.jpg"] as Buffer).subarray(0, 400);
    files["__MACOSX/Benign/._Benign_001.jpg"] = "resource fork";
    files["README.txt"] = "our smears";

    const dataset = await stageDataset(
      actor,
      { archive: archiveFile(zipOf(files)), name: "Our lab, December" },
      limits,
    );
    const { report } = dataset;
    expect(dataset.status).toBe("staged");
    expect(report.layout).toBe("folders");
    expect(report.perClass).toEqual({ Benign: 7, Early: 6, Pre: 6, Pro: 6 });
    expect(report.images).toBe(25);
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { file: "Pro/notes_001.jpg", reason: "not_image" },
        { file: "Pre/Pre_099.jpg", reason: "unreadable" },
      ]),
    );
    expect(report.ignored).toEqual(
      expect.arrayContaining(["__MACOSX/Benign/._Benign_001.jpg", "README.txt"]),
    );
    expect(report.exactDuplicates).toEqual([
      { file: "Benign/Benign_007.jpg", duplicateOf: "Benign/Benign_001.jpg", acrossSplits: false },
    ]);
    expect(report.sizes).toMatchObject({ minSide: 160, maxSide: 160 });
    expect(report.sizes.common).toEqual([{ size: "160×160", images: 25 }]);
    expect(report.redCellDiameter?.measured).toBeGreaterThan(0);
    expect(report.smearCheck.passed).toBeLessThanOrEqual(25);
    const splitTotal = (["train", "validation", "test"] as const).reduce(
      (sum, s) => sum + Object.values(report.split[s]).reduce((a, b) => a + b, 0),
      0,
    );
    expect(splitTotal).toBe(25);
    expect(report.imbalanceRatio).toBeCloseTo(7 / 6, 2);

    // Left-out files are not stored; the stored dataset is what the training code reads.
    const dir = await fetchStored(dataset.id);
    expect(fs.existsSync(path.join(dir, "Pro", "notes_001.jpg"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "__MACOSX"))).toBe(false);
    const samples = await loadDataset(dir);
    expect(samples).toHaveLength(25);
    expect(new Set(samples.map((s) => s.label))).toEqual(new Set([0, 1, 2, 3]));
    const copy = samples.find((s) => s.file === "Benign/Benign_007.jpg")!;
    const original = samples.find((s) => s.file === "Benign/Benign_001.jpg")!;
    expect(copy.split).toBe(original.split);

    const audited = await getDb().select().from(auditLog).where(eq(auditLog.targetId, dataset.id));
    expect(audited.map((a) => a.action)).toEqual(["lab.dataset.upload"]);
  });

  test("a wrapping folder is looked through, and a manifest.csv labels files by folder name or class id", async () => {
    const actor = await admin();
    const wrapped = await stageDataset(
      actor,
      {
        archive: archiveFile(
          zipOf({
            "smears/Benign/b_1.jpg": await labelledSmear("Benign", 1),
            "smears/Pro/p_1.jpg": await labelledSmear("Pro", 1),
          }),
        ),
        name: "wrapped",
      },
      limits,
    );
    expect(wrapped.report.perClass).toEqual({ Benign: 1, Early: 0, Pre: 0, Pro: 1 });
    expect(wrapped.report.warnings.join(" ")).toMatch(/Early\/ has no images/);
    // One image is one image, not "1 images".
    expect(wrapped.report.warnings).toContain(
      "Benign/ has only 1 image: too few to learn or to measure that class.",
    );
    expect(CLASS_FOLDERS.map(classFolderLabel)).toContain("Benign/ — Benign (hematogones)");

    const listed = await stageDataset(
      actor,
      {
        archive: archiveFile(
          zipOf({
            "manifest.csv": "file,class\nimages/a_1.jpg,Benign\nimages/a_2.jpg,pre_b\n",
            "images/a_1.jpg": await labelledSmear("Benign", 2),
            "images/a_2.jpg": await labelledSmear("Pre", 2),
            "images/unlisted.jpg": await labelledSmear("Pre", 3),
          }),
        ),
        name: "listed",
      },
      limits,
    );
    expect(listed.report.layout).toBe("manifest");
    expect(listed.report.perClass).toEqual({ Benign: 1, Early: 0, Pre: 1, Pro: 0 });
    expect(listed.report.ignored).toEqual(["images/unlisted.jpg"]);
    expect(fs.existsSync(path.join(await fetchStored(listed.id), "Pre", "a_2.jpg"))).toBe(true);
    expect((await listDatasets(actor)).map((d) => d.name)).toEqual(["listed", "wrapped"]);
  });

  test("accepting is recorded once; deleting removes the row and the files", async () => {
    const actor = await admin();
    const dataset = await stageDataset(
      actor,
      { archive: archiveFile(zipOf(await labelledFiles(1))), name: "small" },
      limits,
    );
    expect((await acceptDataset(actor, dataset.id)).status).toBe("accepted");
    await expect(acceptDataset(actor, dataset.id)).rejects.toThrow(/already accepted/);
    await deleteDataset(actor, dataset.id);
    await expect(getDataset(actor, dataset.id)).rejects.toThrow(DomainError);
    // The files go after the commit, off the request's path: wait for them, not a fixed time.
    await vi.waitFor(expectNothingLeft, { timeout: 5_000 });
  });

  test("patients and doctors cannot see the lab: its datasets do not exist for them", async () => {
    const actor = await admin();
    const dataset = await stageDataset(
      actor,
      { archive: archiveFile(zipOf(await labelledFiles(1))), name: "private" },
      limits,
    );
    for (const role of ["patient", "doctor"] as const) {
      const other = await makeUser(role);
      const who = { id: other.id, role: other.role };
      await expect(listDatasets(who)).rejects.toThrow(
        expect.objectContaining({ kind: "not-found" }),
      );
      await expect(getDataset(who, dataset.id)).rejects.toThrow(
        expect.objectContaining({ kind: "not-found" }),
      );
      await expect(deleteDataset(who, dataset.id)).rejects.toThrow(
        expect.objectContaining({ kind: "not-found" }),
      );
    }
  });
});

describe("a bad archive is refused with a clear message and leaves nothing behind", () => {
  test("an entry whose path leaves the folder", async () => {
    const error = await refusal({
      "Benign/b_1.jpg": await labelledSmear("Benign", 1),
      "../../etc/cron.d/evil.jpg": await labelledSmear("Pro", 1),
    });
    expect(error.message).toMatch(/path leaves its folder.*\.\.\/\.\.\/etc/);
    expect(error.options.status).toBe(422);
  });

  test("an archive inside the archive, by its name or by its bytes", async () => {
    const inner = zipOf({ "Benign/b_1.jpg": await labelledSmear("Benign", 1) });
    expect((await refusal({ "Benign/more.zip": inner })).message).toMatch(/another archive/);
    const disguised = await refusal({
      "Benign/b_1.jpg": await labelledSmear("Benign", 1),
      "Benign/b_2.jpg": inner,
    });
    expect(disguised.message).toMatch(/another archive \(“Benign\/b_2\.jpg”\)/);
  });

  test("a zip bomb: an entry that unpacks to 100 times its size, or more than the unpacked limit", async () => {
    const zeros = new Uint8Array(20 * MB);
    const bomb = await refusal({ "Benign/b_1.jpg": zeros.subarray(0, 0), "Benign/big.tif": zeros });
    expect(bomb.message).toMatch(/unpacks to \d+ times its packed size/);
    const image = await labelledSmear("Benign", 1);
    const small = { ...limits, maxUnpackedBytes: image.length + 10 };
    const total = await refusal(
      { "Benign/b_1.jpg": image, "Benign/b_2.jpg": await labelledSmear("Benign", 2) },
      small,
    );
    expect(total.message).toMatch(/unpacks to more than/);
  });

  test("a wrong folder layout, a file that is not a zip, and an archive with no usable image", async () => {
    const layout = await refusal({
      "Cats/c_1.jpg": await labelledSmear("Benign", 1),
      "Benign/b_1.jpg": await labelledSmear("Benign", 1),
    });
    expect(layout.message).toMatch(
      /Wrong folder layout: expected the class folders Benign\/.*found Cats\//,
    );
    const nested = await refusal({ "Benign/deeper/b_1.jpg": await labelledSmear("Benign", 1) });
    expect(nested.message).toMatch(/found Benign\/deeper\//);
    const wrapped = await refusal({ "Cats/c_1.jpg": await labelledSmear("Benign", 1) });
    expect(wrapped.message).toMatch(/found Cats\//);
    const manifest = await refusal({ "manifest.csv": "file,class\nx.jpg,Cats\n", "x.jpg": "x" });
    expect(manifest.message).toMatch(/line 2: the class “Cats” is not one of Benign/);

    const actor = await admin();
    const notZip = await stageDataset(
      actor,
      { archive: archiveFile(Buffer.from("just text")), name: "x" },
      limits,
    ).catch((e: unknown) => e);
    expect((notZip as DomainError).message).toMatch(/not a zip archive/);
    const empty = await refusal({ "Benign/b_1.jpg": "text", "Pro/p_1.jpg": "more text" });
    expect(empty.message).toMatch(/no usable image/);
    await expectNothingLeft();
  });
});
