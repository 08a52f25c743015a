import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, auditLog, labDatasets } from "#db/schema";
import { classifyPixels } from "~/classifier/classify";
import { folderSource, type ModelSource } from "~/classifier/files.server";
import { loadClassifier } from "~/classifier/node.server";
import { inTransaction } from "~/data/unit-of-work.server";
import type { DatasetReport } from "~/lab/report";
import { ModelCache, type DisposableClassifier } from "~/lab/model-cache.server";
import {
  datasetTestImages,
  labModelCache,
  predictableVersions,
  predictWithVersion,
} from "~/lab/predict.server";
import { prepareImage } from "~/uploads/image.server";
import { assessableSmear } from "../uploads/assessable";
import { makeUser } from "../helpers";
import { labVersionName, SHIPPED_MODELS, storeCandidate, succeededJob } from "./fixtures";
import { storeFiles } from "./stored";

const SHIPPED = SHIPPED_MODELS;
const IN_USE = "2026-12-04-soup-cnn128";
const EARLIER = "2026-12-01-normalised-cnn128";
const OLDER = "2026-12-01-capture-cnn128";

let models: string;
const previousModelsDir = process.env.MODELS_DIR;

beforeAll(() => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-predict-models-"));
  for (const v of [IN_USE, EARLIER, OLDER]) {
    fs.cpSync(path.join(SHIPPED, v), path.join(models, v), { recursive: true });
  }
  fs.writeFileSync(path.join(models, "current.json"), JSON.stringify({ version: IN_USE }));
  process.env.MODELS_DIR = models;
});
afterAll(() => {
  labModelCache().clear();
  process.env.MODELS_DIR = previousModelsDir;
  if (previousModelsDir === undefined) delete process.env.MODELS_DIR;
  fs.rmSync(models, { recursive: true, force: true });
});

async function person(role: "admin" | "researcher" | "patient") {
  const user = await makeUser(role);
  return { id: user.id, role: user.role };
}

const file = (bytes: Uint8Array, name = "smear.jpg") => new File([new Uint8Array(bytes)], name);

/** A finished job whose candidate is a renamed copy of an earlier version. */
async function finishedCandidate(actor: { id: string }) {
  const job = await succeededJob(actor, labVersionName());
  await storeCandidate(job, OLDER);
  return { job };
}

/** A dataset of seven patients, one image each: each patient a block, so one is a test image. */
async function datasetWithPatients(actor: { id: string }, bytes: Buffer) {
  const id = crypto.randomUUID();
  const files: Record<string, Uint8Array | string> = {};
  const rows = ["file,exact_duplicate_of,patient"];
  for (let n = 1; n <= 7; n++) {
    const name = `Pre/Pre_${String(n).padStart(3, "0")}.jpg`;
    files[name] = bytes;
    rows.push(`${name},,p${n}`);
  }
  files["manifest.csv"] = rows.join("\n") + "\n";
  await storeFiles(id, files);
  await inTransaction(({ tx }) =>
    tx.insert(labDatasets).values({
      id,
      name: "Seven patients",
      images: 7,
      bytes: bytes.length * 7,
      report: {} as DatasetReport,
      uploadedBy: actor.id,
    }),
  );
  return id;
}

const countAnalyses = async () => (await getDb().select({ id: analyses.id }).from(analyses)).length;

describe("predicting with any version in the lab", () => {
  test("an admin runs an earlier version on an uploaded smear beside the model in use: the same figures as that model's analysis, nothing stored, audited", async () => {
    const admin = await person("admin");
    const { bytes } = await assessableSmear(3, 448, "jpeg");
    const before = await countAnalyses();

    const prediction = await predictWithVersion(admin, { version: EARLIER, smear: file(bytes) });

    expect(prediction.results.map((r) => [r.modelVersion, r.inUse])).toEqual([
      [EARLIER, false],
      [IN_USE, true],
    ]);
    // The oracle: each version's own classifier, as an analysis with it would run.
    const { pixels } = await prepareImage(bytes);
    for (const [version, result] of [
      [EARLIER, prediction.results[0]!],
      [IN_USE, prediction.results[1]!],
    ] as const) {
      const expected = classifyPixels(await loadClassifier(path.join(models, version)), pixels);
      expect(result.verdict).toBe(expected.classification.verdict);
      expect(result.topClass).toBe(expected.classification.top);
      for (const [k, p] of Object.entries(expected.classification.probabilities)) {
        expect(result.probabilities[k as keyof typeof result.probabilities]).toBeCloseTo(p, 5);
      }
      expect(result.heatmap === null).toBe(result.verdict !== "ok");
    }
    expect(prediction.results[1]!.verdict).toBe("ok");
    expect(prediction.results[1]!.heatmap).toMatch(/^data:image\/png;base64,/);
    expect(prediction.image).toMatch(/^data:image\/jpeg;base64,/);
    expect(prediction.source).toMatch(/^an uploaded image/);

    expect(await countAnalyses()).toBe(before);
    const audited = await getDb().select().from(auditLog).where(eq(auditLog.action, "lab.predict"));
    expect(audited.at(-1)).toMatchObject({
      actorId: admin.id,
      targetType: "model_version",
      targetId: EARLIER,
    });
    expect(audited.at(-1)!.detail).toContain(`beside ${IN_USE}`);
  }, 60_000);

  test("the version in use alone is shown once; a finished job's candidate is listed and predicts", async () => {
    const researcher = await person("researcher");
    const { bytes } = await assessableSmear(3, 448, "jpeg");
    const alone = await predictWithVersion(researcher, { version: IN_USE, smear: file(bytes) });
    expect(alone.results.map((r) => [r.modelVersion, r.inUse])).toEqual([[IN_USE, true]]);

    const { job } = await finishedCandidate(researcher);
    const listed = await predictableVersions(researcher);
    expect(listed.find((v) => v.version === IN_USE)?.source).toBe("in_use");
    expect(listed.find((v) => v.version === EARLIER)?.source).toBe("stored");
    expect(listed.find((v) => v.version === job.version)).toMatchObject({
      source: "candidate",
      label: expect.stringContaining("trained on generated") as string,
    });
    const candidate = await predictWithVersion(researcher, {
      version: job.version,
      smear: file(bytes),
    });
    expect(candidate.results.map((r) => r.modelVersion)).toEqual([job.version, IN_USE]);
  }, 60_000);

  test("a test image of a dataset is offered and predicted; a file outside its manifest is refused", async () => {
    const admin = await person("admin");
    const { bytes } = await assessableSmear(3, 448, "jpeg");
    const id = await datasetWithPatients(admin, bytes);
    const offered = (await datasetTestImages(admin)).find((d) => d.datasetId === id);
    expect(offered?.files).toHaveLength(1);
    const named = `${id}/${offered!.files[0]!}`;
    const prediction = await predictWithVersion(admin, { version: EARLIER, datasetImage: named });
    expect(prediction.source).toBe(`Seven patients: ${offered!.files[0]!}`);
    expect(prediction.results).toHaveLength(2);

    for (const bad of [`${id}/../manifest.csv`, `${id}/Pre/missing.jpg`, "nothing"]) {
      await expect(
        predictWithVersion(admin, { version: EARLIER, datasetImage: bad }),
      ).rejects.toMatchObject({ kind: "invalid", options: { field: "datasetImage", status: 422 } });
    }
  }, 60_000);

  test("bad input gets the intake's answers; only the lab's roles may predict", async () => {
    const admin = await person("admin");
    const cases: [Uint8Array, number | undefined, RegExp][] = [
      [new TextEncoder().encode("not an image at all"), 415, /not a JPEG, PNG, WebP or TIFF/],
      [new Uint8Array(0), undefined, /The file is empty/],
      [new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 422, /could not be read/],
    ];
    for (const [bytes, status, message] of cases) {
      await expect(
        predictWithVersion(admin, { version: EARLIER, smear: file(bytes) }),
      ).rejects.toMatchObject({ kind: "invalid", message, options: { field: "smear", status } });
    }
    const { bytes } = await assessableSmear(3, 448, "jpeg");
    await expect(
      predictWithVersion(admin, { version: "no-such-version", smear: file(bytes) }),
    ).rejects.toMatchObject({ kind: "invalid", options: { field: "version", status: 422 } });
    await expect(
      predictWithVersion(admin, { version: "../etc", smear: file(bytes) }),
    ).rejects.toMatchObject({ kind: "not-found" });
    for (const role of ["patient"] as const) {
      const other = await person(role);
      await expect(
        predictWithVersion(other, { version: EARLIER, smear: file(bytes) }),
      ).rejects.toMatchObject({ kind: "not-found" });
      await expect(predictableVersions(other)).rejects.toMatchObject({ kind: "not-found" });
    }
  }, 60_000);
});

describe("the lab's bounded model cache", () => {
  test("never holds more than its capacity, and a model that leaves it frees every tensor", async () => {
    const baseline = tf.memory().numTensors;
    const dirs = [IN_USE, EARLIER, OLDER].map((v) => folderSource(path.join(models, v)));
    // What each model holds alone, and that disposing it gives every tensor back.
    const own = new Map<string, number>();
    for (const dir of dirs) {
      const single = new ModelCache(1);
      await single.use(dir, () => null);
      own.set(dir.key, tf.memory().numTensors - baseline);
      single.clear();
      expect(tf.memory().numTensors).toBe(baseline);
    }
    const cache = new ModelCache(2);
    for (const dir of [...dirs, dirs[0]!, dirs[2]!]) {
      const version = await cache.use(dir, (c) => c.config.version);
      expect(version).toBe(path.basename(dir.key));
      expect(cache.held().length).toBeLessThanOrEqual(2);
      const held = cache.held().reduce((sum, d) => sum + own.get(d)!, 0);
      expect(tf.memory().numTensors - baseline).toBe(held);
    }
    expect(cache.held()).toEqual([dirs[0]!.key, dirs[2]!.key]);
    cache.clear();
    expect(tf.memory().numTensors).toBe(baseline);
  }, 60_000);

  test("a model evicted while a prediction uses it is disposed after that prediction, not under it", async () => {
    const disposed: string[] = [];
    const fake = ({ key }: ModelSource): Promise<DisposableClassifier> =>
      Promise.resolve({
        classifier: { config: { version: key } } as DisposableClassifier["classifier"],
        dispose: () => disposed.push(key),
      });
    // Sources the fake loader never reads.
    const [a, b] = ["a", "b"].map((key) => folderSource(key));
    const cache = new ModelCache(1, fake);
    let release!: () => void;
    const inUse = cache.use(a!, async (c) => {
      await new Promise<void>((resolve) => (release = resolve));
      return c.config.version;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await cache.use(b!, () => null);
    expect(cache.held()).toEqual(["b"]);
    expect(disposed).toEqual([]);
    release();
    await expect(inUse).resolves.toBe("a");
    expect(disposed).toEqual(["a"]);
    await cache.use(a!, () => null);
    expect(disposed).toEqual(["a", "b"]);
    cache.clear();
    expect(disposed).toEqual(["a", "b", "a"]);
  });
});
