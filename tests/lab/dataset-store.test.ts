import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { labDatasets } from "#db/schema";
import { inTransaction } from "~/data/unit-of-work.server";
import { parseEnv } from "~/env.server";
import {
  DATASET_ORPHAN_GRACE_MS,
  datasetStoreFromEnv,
  fetchDatasets,
  fileDatasetStore,
  s3DatasetStore,
  type DatasetStore,
} from "~/lab/dataset-store.server";
import {
  acceptDataset,
  deleteDataset,
  readDatasetFile,
  stageDataset,
  sweepDatasetFiles,
} from "~/lab/datasets.server";
import { archiveLimits } from "~/lab/limits";
import { incomingRoot } from "~/lab/upload.server";
import { recoverUploads } from "~/uploads/recovery.server";
import { s3Store } from "~/uploads/s3-store.server";
import { fileSystemStore, type ImageStore } from "~/uploads/storage.server";
import { loadDataset } from "../../scripts/model/dataset";
import { makeUser } from "../helpers";
import { freshS3Bucket } from "../setup/test-servers";
import { labelledFiles, zipOf } from "./archives";
import { storedIds, storeFiles } from "./stored";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lab-dataset-store-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const limits = archiveLimits({ LAB_MAX_UPLOAD_MB: 50, LAB_MAX_UNZIPPED_MB: 50 });

type Subject = {
  store: DatasetStore;
  /** The patients' image store on the same disk or bucket. */
  images: ImageStore;
  /** Every object in the bucket (S3 only), straight from the server. */
  objects?: () => Promise<string[]>;
};

const stores: [string, () => Promise<Subject>][] = [
  [
    "the file store",
    async () => {
      const root = fs.mkdtempSync(path.join(tmp, "store-"));
      return {
        store: fileDatasetStore(path.join(root, "lab", "datasets")),
        images: fileSystemStore(path.join(root, "images")),
      };
    },
  ],
  [
    "S3",
    async () => {
      const { settings, client } = await freshS3Bucket();
      const objects = async () =>
        (
          (await (client as S3Client).send(new ListObjectsV2Command({ Bucket: settings.bucket })))
            .Contents ?? []
        )
          .map((o) => o.Key!)
          .sort();
      return { store: s3DatasetStore(settings), images: s3Store(settings, client), objects };
    },
  ],
];

async function archive(perClass = 2): Promise<string> {
  const file = path.join(tmp, `upload-${crypto.randomUUID()}.zip`);
  fs.writeFileSync(file, zipOf(await labelledFiles(perClass)));
  return file;
}

async function admin() {
  const user = await makeUser("admin");
  return { id: user.id, role: user.role };
}

const rowsOf = async (id: string) =>
  await getDb().select().from(labDatasets).where(eq(labDatasets.id, id));
const incoming = () => (fs.existsSync(incomingRoot()) ? fs.readdirSync(incomingRoot()) : []);

describe.each(stores)("lab datasets in %s", (_name, open) => {
  let subject: Subject;
  beforeAll(async () => {
    subject = await open();
  });
  afterEach(async () => {
    await inTransaction(({ tx }) => tx.delete(labDatasets));
    for (const id of await storedIds(subject.store)) await subject.store.deleteAll(id);
  });

  test("a dataset is stored under its own prefix, read by the lab only, fetched whole for a job (again after a restart), and deleted with its row", async () => {
    const { store } = subject;
    const actor = await admin();
    const dataset = await stageDataset(
      actor,
      { archive: await archive(), name: "Ward A" },
      limits,
      store,
    );
    expect(await storedIds(store)).toEqual([dataset.id]);
    if (subject.objects) {
      const objects = await subject.objects();
      expect(objects).toContain(`lab-datasets/${dataset.id}/manifest.csv`);
      expect(objects).toContain(`lab-datasets/${dataset.id}/Pre/Pre_001.jpg`);
      expect(objects.every((o) => o.startsWith(`lab-datasets/${dataset.id}/`))).toBe(true);
    }
    // The request's working folder is gone: nothing of the dataset stays on this disk.
    expect(incoming()).toEqual([]);

    const manifest = await readDatasetFile(actor, dataset.id, "manifest.csv", store);
    expect(manifest?.toString("utf8")).toMatch(/^file,exact_duplicate_of\n/);
    const patient = await makeUser("patient");
    await expect(
      readDatasetFile({ id: patient.id, role: patient.role }, dataset.id, "manifest.csv", store),
    ).rejects.toMatchObject({ kind: "not-found" });
    await expect(store.get(dataset.id, "../../etc/passwd")).rejects.toThrow(/Invalid/);

    await acceptDataset(actor, dataset.id);
    // A job fetches its datasets into a working folder; a run after a restart fetches them again.
    for (const run of ["first", "resumed"]) {
      const workDir = path.join(tmp, `job-${run}-${crypto.randomUUID()}`);
      const [dir] = await fetchDatasets([{ id: dataset.id, name: "Ward A" }], workDir, store);
      const samples = await loadDataset(dir!);
      expect(samples).toHaveLength(dataset.images);
      expect(new Set(samples.map((s) => s.label))).toEqual(new Set([0, 1, 2, 3]));
      fs.rmSync(workDir, { recursive: true, force: true });
    }

    await deleteDataset(actor, dataset.id, store);
    expect(await rowsOf(dataset.id)).toEqual([]);
    // The files go after the commit: wait for them, not a fixed time.
    await vi.waitFor(async () => expect(await storedIds(store)).toEqual([]), { timeout: 5_000 });
    if (subject.objects) expect(await subject.objects()).toEqual([]);
    await expect(
      fetchDatasets([{ id: dataset.id, name: "Ward A" }], path.join(tmp, "gone"), store),
    ).rejects.toThrow(/not in the store/);
  });

  test("a failure half-way through writing the files leaves no file and no row", async () => {
    const { store } = subject;
    const actor = await admin();
    // The connection drops after half of the dataset's files were written.
    const failing: DatasetStore = {
      ...store,
      async putFolder(id, dir) {
        const half = path.join(tmp, `half-${id}`);
        fs.cpSync(dir, half, { recursive: true });
        for (const name of fs.readdirSync(path.join(half, "Pro"))) {
          fs.rmSync(path.join(half, "Pro", name));
        }
        await store.putFolder(id, half);
        fs.rmSync(half, { recursive: true, force: true });
        expect(await storedIds(store)).toEqual([id]);
        throw new Error("connection reset");
      },
    };
    await expect(
      stageDataset(actor, { archive: await archive(), name: "Dropped" }, limits, failing),
    ).rejects.toThrow(/connection reset/);
    expect(await getDb().select().from(labDatasets)).toEqual([]);
    expect(await storedIds(store)).toEqual([]);
    if (subject.objects) expect(await subject.objects()).toEqual([]);
    expect(incoming()).toEqual([]);
  });

  test("a crash between the files and the row: the sweep removes them after the grace, never a dataset's, and the images' sweep leaves datasets alone", async () => {
    const { store } = subject;
    const actor = await admin();
    const kept = await stageDataset(
      actor,
      { archive: await archive(1), name: "Kept" },
      limits,
      store,
    );
    // What a process killed after storing the files, before its row committed, leaves.
    const crashed = crypto.randomUUID();
    await storeFiles(
      crashed,
      { "manifest.csv": "file,exact_duplicate_of\n", "Pre/x_1.jpg": "x" },
      store,
    );
    expect(await storedIds(store)).toEqual([crashed, kept.id].sort());

    // The images' start-up sweep walks its own keys only.
    await recoverUploads(subject.images);
    expect(await storedIds(store)).toEqual([crashed, kept.id].sort());

    // Within the grace the files may be an upload still being stored: they stay.
    expect(await sweepDatasetFiles(new Date(), store)).toEqual({ orphans: 0 });
    expect(await storedIds(store)).toEqual([crashed, kept.id].sort());
    const later = new Date(Date.now() + DATASET_ORPHAN_GRACE_MS + 60_000);
    expect(await sweepDatasetFiles(later, store)).toEqual({ orphans: 1 });
    expect(await storedIds(store)).toEqual([kept.id]);
    expect(await store.get(kept.id, "manifest.csv")).not.toBeNull();
    expect(await sweepDatasetFiles(later, store)).toEqual({ orphans: 0 });
    await deleteDataset(actor, kept.id, store);
    await vi.waitFor(async () => expect(await storedIds(store)).toEqual([]), { timeout: 5_000 });
  });
});

describe("the configured dataset store", () => {
  test("IMAGE_STORE picks it: a folder under DATA_DIR/lab/datasets, or the images' bucket", async () => {
    const id = crypto.randomUUID();
    const dataDir = fs.mkdtempSync(path.join(tmp, "env-"));
    const onDisk = datasetStoreFromEnv(parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir }));
    await storeFiles(id, { "manifest.csv": "file,exact_duplicate_of\n" }, onDisk);
    expect(fs.readdirSync(path.join(dataDir, "lab", "datasets"))).toEqual([id]);

    const { env, client, settings } = await freshS3Bucket();
    const inBucket = datasetStoreFromEnv(parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir, ...env }));
    await storeFiles(id, { "manifest.csv": "file,exact_duplicate_of\n" }, inBucket);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([`lab-datasets/${id}/manifest.csv`]);
  });
});

describe("the file store's own crash case", () => {
  test("a copy interrupted before its rename leaves a temporary folder, never a dataset; the sweep removes it", async () => {
    const root = fs.mkdtempSync(path.join(tmp, "file-crash-"));
    const store = fileDatasetStore(root);
    const id = crypto.randomUUID();
    fs.mkdirSync(path.join(root, `.${id}.1a2b3c4d`, "Pre"), { recursive: true });
    fs.writeFileSync(path.join(root, `.${id}.1a2b3c4d`, "Pre", "x_1.jpg"), "half");
    expect(await store.get(id, "Pre/x_1.jpg")).toBeNull();
    expect(await storedIds(store)).toEqual([id]);
    const later = new Date(Date.now() + DATASET_ORPHAN_GRACE_MS + 60_000);
    expect(await sweepDatasetFiles(later, store)).toEqual({ orphans: 1 });
    expect(fs.readdirSync(root)).toEqual([]);
  });
});
