/** Fixtures of the lab's tests: finished jobs and renamed copies of the shipped versions. */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { labJobs, type LabJob } from "#db/schema";
import { inTransaction } from "~/data/unit-of-work.server";
import { getModelStore, type ModelStore } from "~/lab/model-store.server";

export const SHIPPED_MODELS = path.join(process.cwd(), "public", "models");

/** A copy of a shipped version under another version name (its files name it throughout). */
export function copyVersion(from: string, to: string, version: string) {
  fs.cpSync(path.join(SHIPPED_MODELS, from), to, { recursive: true });
  for (const file of ["runtime.json", "model-card.json"]) {
    const json = JSON.parse(fs.readFileSync(path.join(to, file), "utf8")) as { version: string };
    fs.writeFileSync(path.join(to, file), JSON.stringify({ ...json, version }));
  }
}

/** A succeeded job row (a narrow one-epoch recipe) whose candidate is `version`. */
export async function succeededJob(actor: { id: string }, version: string) {
  const [job] = await inTransaction(({ tx }) =>
    tx
      .insert(labJobs)
      .values({
        datasetName: "generated",
        version,
        status: "succeeded",
        recipe: {
          architecture: "narrow",
          epochs: 1,
          seed: 1,
          augmentation: false,
          blockSize: 1,
          batchSize: 4,
        },
        createdBy: actor.id,
      })
      .returning(),
  );
  return job!;
}

/** A version name as the lab makes them (`lab-<date>-<time>-<random>`). */
export const labVersionName = () => `lab-20261202-1500-${crypto.randomBytes(3).toString("hex")}`;

/**
 * Store a renamed copy of a shipped version as a job's candidate, as the job process does;
 * `adjust` may change the folder first (a missing file).
 */
export async function storeCandidate(
  job: Pick<LabJob, "id" | "version">,
  from: string,
  adjust: (dir: string) => void = () => {},
  store: ModelStore = getModelStore(),
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-candidate-"));
  try {
    copyVersion(from, path.join(dir, job.version), job.version);
    adjust(path.join(dir, job.version));
    await store.putCandidate(job.id, job.version, path.join(dir, job.version));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
