import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { modelPromotions } from "#db/schema";
import { getModelCard } from "~/classifier/card.server";
import { activeVersion, getClassifier, readModelFile } from "~/classifier/node.server";
import { inTransaction } from "~/data/unit-of-work.server";
import type { MeasuredFigures } from "~/lab/promotion-rule";
import {
  promoteCandidate,
  reviewCandidate,
  rollBack,
  writeComparison,
} from "~/lab/promotion.server";
import { predictableVersions, predictWithVersion } from "~/lab/predict.server";
import { getVersion, listVersions } from "~/lab/versions.server";
import { assessableSmear } from "../uploads/assessable";
import { makeUser } from "../helpers";
import { freshS3Bucket } from "../setup/test-servers";
import { labVersionName, SHIPPED_MODELS, storeCandidate, succeededJob } from "./fixtures";

// The app configured for S3 before anything reads its environment (docs/decisions/078).
const bucket = await vi.hoisted(async () => {
  const { s3AppEnv } = await import("../setup/s3-env");
  const name = `lab-models-${globalThis.crypto.randomUUID().slice(0, 8)}`;
  Object.assign(process.env, s3AppEnv(name));
  return name;
});

const IN_USE = "2026-12-01-normalised-cnn128";
let s3: Awaited<ReturnType<typeof freshS3Bucket>>["client"];
const previousModelsDir = process.env.MODELS_DIR;

/** An instance's own models folder: the build's versions only. */
function buildModels() {
  const models = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-instance-models-"));
  fs.cpSync(path.join(SHIPPED_MODELS, IN_USE), path.join(models, IN_USE), { recursive: true });
  fs.writeFileSync(path.join(models, "current.json"), JSON.stringify({ version: IN_USE }));
  return models;
}

beforeAll(async () => {
  ({ client: s3 } = await freshS3Bucket(bucket));
});
afterAll(async () => {
  await inTransaction(({ tx }) => tx.delete(modelPromotions));
  process.env.MODELS_DIR = previousModelsDir;
  if (previousModelsDir === undefined) delete process.env.MODELS_DIR;
});

async function objects(): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

test("with IMAGE_STORE=s3, a candidate promoted on one instance is served by another, whose models folder never had it", async () => {
  const user = await makeUser("admin");
  const admin = { id: user.id, role: user.role };
  const first = buildModels();
  process.env.MODELS_DIR = first;

  // What the job process stores: the candidate and its comparison, in the bucket only.
  const job = await succeededJob(admin, labVersionName());
  await storeCandidate(job, IN_USE);
  const metrics = (
    JSON.parse(fs.readFileSync(path.join(first, IN_USE, "model-card.json"), "utf8")) as {
      metrics: MeasuredFigures;
    }
  ).metrics;
  await writeComparison(job, {
    measuredAt: new Date().toISOString(),
    current: { version: IN_USE, metrics },
    candidate: { version: job.version, metrics },
  });
  expect(await objects()).toContain(`lab-jobs/${job.id}/comparison.json`);

  // Another instance reviews the candidate and predicts with it, from the bucket.
  process.env.MODELS_DIR = buildModels();
  expect((await reviewCandidate(admin, job.id)).promotable).toBe(true);
  expect((await predictableVersions(admin)).find((v) => v.version === job.version)?.source).toBe(
    "candidate",
  );
  const { bytes } = await assessableSmear(3, 448, "jpeg");
  const smear = new File([new Uint8Array(bytes)], "smear.jpg");
  const predicted = await predictWithVersion(admin, { version: job.version, smear });
  expect(predicted.results.map((r) => r.modelVersion)).toEqual([job.version, IN_USE]);

  // The first instance promotes it: the version's files go to the bucket, not its disk.
  process.env.MODELS_DIR = first;
  await promoteCandidate(admin, job.id, `use ${job.version}`);
  expect(await objects()).toEqual(
    expect.arrayContaining(
      ["model.json", "weights.bin", "runtime.json", "model-card.json"].map(
        (f) => `lab-models/${job.version}/${f}`,
      ),
    ),
  );
  expect(fs.existsSync(path.join(first, job.version))).toBe(false);

  // A third instance, started after the promotion, serves it.
  const third = buildModels();
  process.env.MODELS_DIR = third;
  expect(await activeVersion()).toBe(job.version);
  expect((await getClassifier()).config.version).toBe(job.version);
  expect((await getModelCard()).version).toBe(job.version);
  expect(await readModelFile(job.version, "weights.bin")).not.toBeNull();
  expect(await readModelFile(job.version, "../model.json")).toBeNull();
  expect((await listVersions(admin)).find((v) => v.current)?.version).toBe(job.version);
  expect((await getVersion(admin, job.version)).problems).toEqual([]);
  expect((await reviewCandidate(admin, job.id)).promoted).toBe(true);

  // Rolling back to the build's version, and forward again to the one in the bucket.
  await rollBack(admin, IN_USE, `use ${IN_USE}`);
  expect((await getClassifier()).config.version).toBe(IN_USE);
  await rollBack(admin, job.version, `use ${job.version}`);
  expect(await activeVersion()).toBe(job.version);
  expect(fs.readdirSync(third).filter((f) => f.startsWith("lab-"))).toEqual([]);
}, 120_000);
