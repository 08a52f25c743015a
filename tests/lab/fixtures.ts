/** Fixtures of the lab's tests: finished jobs and renamed copies of the shipped versions. */
import fs from "node:fs";
import path from "node:path";
import { labJobs } from "#db/schema";
import { inTransaction } from "~/data/unit-of-work.server";

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
