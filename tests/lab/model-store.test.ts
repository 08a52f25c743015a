import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { labJobs, modelPromotions } from "#db/schema";
import { startWasmBackend } from "~/classifier/backend.server";
import { loadModelFrom } from "~/classifier/files.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { parseEnv } from "~/env.server";
import {
  fileModelStore,
  MODEL_ORPHAN_GRACE_MS,
  modelStoreFromEnv,
  s3ModelStore,
  type ModelStore,
} from "~/lab/model-store.server";
import { folderProblems, sweepModelFiles } from "~/lab/promotion.server";
import { recoverUploads } from "~/uploads/recovery.server";
import { s3Store } from "~/uploads/s3-store.server";
import { fileSystemStore, type ImageStore } from "~/uploads/storage.server";
import { readCheckpoint, writeCheckpoint } from "../../scripts/model/checkpoint";
import { makeUser } from "../helpers";
import { freshS3Bucket } from "../setup/test-servers";
import { labVersionName, storeCandidate, succeededJob } from "./fixtures";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lab-model-store-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SHIPPED_VERSION = "2026-12-01-capture-cnn128";

type Subject = {
  /** Two stores on the same disk or bucket: two instances of the app. */
  store: ModelStore;
  other: ModelStore;
  images: ImageStore;
  /** Every stored file or object name, relative to the store's root. */
  names: () => Promise<string[]>;
  /** What a process killed while storing a checkpoint leaves. */
  killedWhileStoring: (jobId: string, epoch: number) => Promise<void>;
};

const filesUnder = (root: string) =>
  fs.existsSync(root)
    ? fs
        .readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
        .sort()
    : [];

const stores: [string, () => Promise<Subject>][] = [
  [
    "the file store",
    async () => {
      const root = fs.mkdtempSync(path.join(tmp, "store-"));
      const jobs = path.join(root, "data", "lab", "jobs");
      const models = path.join(root, "models");
      return {
        store: fileModelStore(jobs, () => models),
        other: fileModelStore(jobs, () => models),
        images: fileSystemStore(path.join(root, "images")),
        names: async () => [
          ...filesUnder(jobs).map((f) => `jobs/${f}`),
          ...filesUnder(models).map((f) => `models/${f}`),
        ],
        // The copy of the new checkpoint, before its rename.
        killedWhileStoring: async (jobId) => {
          const temp = path.join(jobs, jobId, ".checkpoint.1a2b3c4d");
          fs.mkdirSync(temp, { recursive: true });
          fs.writeFileSync(path.join(temp, "tensors.bin"), "half");
        },
      };
    },
  ],
  [
    "S3",
    async () => {
      const { settings, client } = await freshS3Bucket();
      return {
        store: s3ModelStore(settings),
        other: s3ModelStore(settings),
        images: s3Store(settings, client),
        names: async () =>
          (
            (await (client as S3Client).send(new ListObjectsV2Command({ Bucket: settings.bucket })))
              .Contents ?? []
          )
            .map((o) => o.Key!)
            .sort(),
        // The new checkpoint's files, before its marker.
        killedWhileStoring: async (jobId, epoch) => {
          await (client as S3Client).send(
            new PutObjectCommand({
              Bucket: settings.bucket,
              Key: `lab-jobs/${jobId}/checkpoint/${epoch}/tensors.bin`,
              Body: "half",
            }),
          );
        },
      };
    },
  ],
];

async function admin() {
  const user = await makeUser("admin");
  return { id: user.id, role: user.role };
}

/** A checkpoint of epoch `epoch` whose every weight is `epoch`. */
function checkpointOf(epoch: number) {
  const filled = () => [tf.fill([2, 3], epoch), tf.fill([4], epoch)];
  return {
    epoch,
    curve: [],
    best: { score: epoch, epoch },
    weights: filled(),
    bestWeights: filled(),
    optimizer: [{ name: "m", tensor: tf.fill([3], epoch) }],
  };
}

async function storeCheckpoint(store: ModelStore, jobId: string, epoch: number) {
  const dir = fs.mkdtempSync(path.join(tmp, "checkpoint-"));
  await writeCheckpoint(path.join(dir, "checkpoint"), checkpointOf(epoch));
  await store.putCheckpoint(jobId, epoch, path.join(dir, "checkpoint"));
}

/** The epoch and first weight of the checkpoint a resumed job would read, or null. */
async function resumed(store: ModelStore, jobId: string) {
  const dir = path.join(fs.mkdtempSync(path.join(tmp, "resume-")), "checkpoint");
  if (!(await store.fetchCheckpoint(jobId, dir))) return null;
  const state = (await readCheckpoint(dir))!;
  return { epoch: state.epoch, weight: (state.weights[0]!.dataSync() as Float32Array)[0] };
}

describe.each(stores)("lab models in %s", (kind, open) => {
  let subject: Subject;
  beforeAll(async () => {
    await startWasmBackend();
    subject = await open();
  });
  afterEach(async () => {
    await inTransaction(({ tx }) => tx.delete(modelPromotions));
    await inTransaction(({ tx }) => tx.delete(labJobs));
    for (const entry of await subject.store.list()) await subject.store.delete(entry);
  });

  test("a job's checkpoint, candidate and comparison are stored under the job; another instance resumes from the newest whole checkpoint and reads the candidate", async () => {
    const { store, other } = subject;
    const job = await succeededJob(await admin(), labVersionName());
    expect(await store.fetchCheckpoint(job.id, path.join(tmp, "none"))).toBe(false);
    await storeCheckpoint(store, job.id, 1);
    await storeCheckpoint(store, job.id, 2);
    expect(await resumed(other, job.id)).toEqual({ epoch: 2, weight: 2 });

    await storeCandidate(job, SHIPPED_VERSION, () => {}, store);
    await store.putComparison(job.id, JSON.stringify({ measuredAt: "now" }));
    const candidate = other.candidate(job.id, job.version);
    expect(await folderProblems(candidate, job.version)).toEqual([]);
    expect((await loadModelFrom(candidate)).countParams()).toBeGreaterThan(0);
    expect(JSON.parse((await other.getComparison(job.id))!.toString("utf8"))).toEqual({
      measuredAt: "now",
    });
    await expect(candidate.read("../comparison.json")).rejects.toThrow();

    const names = await subject.names();
    if (kind === "S3") {
      expect(names).toContain(`lab-jobs/${job.id}/candidate/model.json`);
      expect(names).toContain(`lab-jobs/${job.id}/candidate/weights.bin`);
      expect(names).toContain(`lab-jobs/${job.id}/comparison.json`);
      // Only the newest checkpoint stays.
      expect(names.filter((n) => n.includes("/checkpoint/"))).toEqual(
        ["checkpoint.json", "tensors.bin", ".complete"]
          .map((f) => `lab-jobs/${job.id}/checkpoint/2/${f}`)
          .sort(),
      );
      expect(names.every((n) => n.startsWith(`lab-jobs/${job.id}/`))).toBe(true);
    } else {
      // Where they always were: an existing install's jobs keep theirs.
      expect(names).toContain(`jobs/${job.id}/${job.version}/model.json`);
      expect(names).toContain(`jobs/${job.id}/comparison.json`);
      expect(names).toContain(`jobs/${job.id}/checkpoint/checkpoint.json`);
      expect(names.every((n) => n.startsWith(`jobs/${job.id}/`))).toBe(true);
    }
  });

  test("a checkpoint interrupted while it was stored leaves the previous one to resume from", async () => {
    const { store } = subject;
    const job = await succeededJob(await admin(), labVersionName());
    await storeCheckpoint(store, job.id, 1);
    await subject.killedWhileStoring(job.id, 2);
    expect(await resumed(store, job.id)).toEqual({ epoch: 1, weight: 1 });
  });

  test("a candidate is installed whole once and listed; the sweep removes files no row names after the grace, never a job's or a promoted version's, and the images' sweep leaves them alone", async () => {
    const { store, other } = subject;
    const actor = await admin();
    const promoted = await succeededJob(actor, labVersionName());
    await storeCandidate(promoted, SHIPPED_VERSION, () => {}, store);
    await store.installCandidate(promoted.id, promoted.version);
    await store.installCandidate(promoted.id, promoted.version);
    await inTransaction(({ tx }) =>
      tx.insert(modelPromotions).values({
        version: promoted.version,
        previousVersion: SHIPPED_VERSION,
        kind: "promote",
        jobId: promoted.id,
        promotedBy: actor.id,
      }),
    );
    const installed = await other.version(promoted.version);
    expect(installed && (await folderProblems(installed, promoted.version))).toEqual([]);
    expect(await other.versions()).toEqual([promoted.version]);

    // A crash after the install, before the promotion's row; a job's files without its row.
    const unrecorded = await succeededJob(actor, labVersionName());
    await storeCandidate(unrecorded, SHIPPED_VERSION, () => {}, store);
    await store.installCandidate(unrecorded.id, unrecorded.version);
    const rowless = crypto.randomUUID();
    await store.putComparison(rowless, "{}");
    const entries = async () => (await store.list()).map((e) => `${e.kind} ${e.name}`).sort();
    const everything = [
      `job ${promoted.id}`,
      `job ${unrecorded.id}`,
      `job ${rowless}`,
      `version ${promoted.version}`,
      `version ${unrecorded.version}`,
    ].sort();
    expect(await entries()).toEqual(everything);

    await recoverUploads(subject.images);
    expect(await entries()).toEqual(everything);
    expect(await sweepModelFiles(new Date(), store)).toEqual({ orphans: 0 });
    const later = new Date(Date.now() + MODEL_ORPHAN_GRACE_MS + 60_000);
    expect(await sweepModelFiles(later, store)).toEqual({ orphans: 2 });
    expect(await entries()).toEqual(
      [`job ${promoted.id}`, `job ${unrecorded.id}`, `version ${promoted.version}`].sort(),
    );
    expect(await other.version(unrecorded.version)).toBeNull();
    expect(await other.versions()).toEqual([promoted.version]);
    expect(await sweepModelFiles(later, store)).toEqual({ orphans: 0 });
  });
});

describe("the file store's own crash case", () => {
  test("an install interrupted before its rename leaves a temporary folder, never a version; the sweep removes it", async () => {
    const models = fs.mkdtempSync(path.join(tmp, "models-crash-"));
    const store = fileModelStore(path.join(tmp, "jobs-crash"), () => models);
    const version = labVersionName();
    fs.mkdirSync(path.join(models, `.${version}.1a2b3c4d`));
    fs.writeFileSync(path.join(models, `.${version}.1a2b3c4d`, "weights.bin"), "half");
    expect(await store.version(version)).toBeNull();
    expect(await store.versions()).toEqual([]);
    const later = new Date(Date.now() + MODEL_ORPHAN_GRACE_MS + 60_000);
    expect(await sweepModelFiles(later, store)).toEqual({ orphans: 1 });
    expect(fs.readdirSync(models)).toEqual([]);
  });
});

describe("the configured model store", () => {
  test("IMAGE_STORE picks it: DATA_DIR/lab/jobs, or the images' bucket", async () => {
    const id = crypto.randomUUID();
    const dataDir = fs.mkdtempSync(path.join(tmp, "env-"));
    await modelStoreFromEnv(parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir })).putComparison(
      id,
      "{}",
    );
    expect(fs.readdirSync(path.join(dataDir, "lab", "jobs", id))).toEqual(["comparison.json"]);

    const { env, client, settings } = await freshS3Bucket();
    const inBucket = modelStoreFromEnv(parseEnv({ NODE_ENV: "test", DATA_DIR: dataDir, ...env }));
    await inBucket.putComparison(id, "{}");
    const listed = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([`lab-jobs/${id}/comparison.json`]);
  });
});
