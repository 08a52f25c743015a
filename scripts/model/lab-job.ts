/**
 * One model-lab training job, in its own process (started by app/lab/runner.server.ts):
 *   node --import tsx scripts/model/lab-job.ts <job id>
 * Fetches the job's datasets from the dataset store into a working folder of its own (removed
 * when the process ends, and by the next run of the job after a crash), loads them with their
 * block split, trains with the shared loop (training.ts),
 * records every batch and epoch as job events, stores a checkpoint in the model store after each
 * epoch (and resumes from it when the job was interrupted, on whichever instance runs it), stops
 * at the next batch when cancelled, then calibrates and evaluates the candidate exactly as
 * `npm run train` does, into its model card, and measures the model in use on the same test
 * images for the comparison the promotion rule reads. The candidate and the comparison are
 * stored before the job ends (docs/decisions/078); everything else stays in the working folder.
 */
import fsSync from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startWasmBackend } from "~/classifier/backend.server";
import { copyModel } from "~/classifier/files.server";
import { activeSource, activeVersion } from "~/classifier/node.server";
import { fetchDatasets } from "~/lab/dataset-store.server";
import {
  finishJob,
  readJob,
  readJobDatasets,
  recordEpoch,
  recordEvent,
  type JobDataset,
} from "~/lab/jobs.server";
import { getModelStore } from "~/lab/model-store.server";
import { writeComparison } from "~/lab/promotion.server";
import type { MeasuredFigures } from "~/lab/promotion-rule";
import { ARCHITECTURES } from "~/lab/vocabulary";
import { DEFAULT_SPLIT, loadDataset, type Sample } from "./dataset";
import { readCheckpoint, writeCheckpoint } from "./checkpoint";
import { DEFAULT_RECIPE, trainModel, type Recipe } from "./training";

const jobId = process.argv[2] ?? "";
const job = await readJob(jobId);
if (!job || job.status !== "running") {
  console.error(`lab-job: job ${jobId} is not running`);
  process.exit(2);
}
const datasets = await readJobDatasets(job.id);

const store = getModelStore();

// The working folder: the datasets' copy, the checkpoint, the candidate and the model in use.
// One folder per job, so a run after a crash replaces what the crashed one left. The server
// stops a job with SIGTERM (it resumes later): remove it then too.
const workDir = path.join(os.tmpdir(), `hemalink-lab-job-${job.id}`);
const checkpointDir = path.join(workDir, "checkpoint");
const removeWorkDir = () => fsSync.rmSync(workDir, { recursive: true, force: true });
process.once("SIGTERM", () => {
  removeWorkDir();
  process.exit(143);
});

/** The model card names the job's datasets and its split, as this job made it. */
async function describeTrainingData(dir: string, blockSize: number, used: JobDataset[]) {
  const file = path.join(dir, "model-card.json");
  const card = JSON.parse(await fs.readFile(file, "utf8")) as {
    trainingData: { split: { method: string } };
  };
  card.trainingData = {
    ...card.trainingData,
    datasets: used.map((d) => ({ id: d.id, name: d.name })),
    split: {
      ...card.trainingData.split,
      method: `each dataset on its own: blocks of ${blockSize} consecutive file numbers per class (or one patient per block when its manifest names patients), seeded (${DEFAULT_SPLIT.seed}); exact duplicates follow their original`,
    },
  } as typeof card.trainingData;
  await fs.writeFile(file, JSON.stringify(card, null, 2) + "\n");
}

try {
  await startWasmBackend();
  const started = Date.now();
  const gone = datasets.filter((d) => !d.id).map((d) => d.name);
  if (datasets.length === 0 || gone.length > 0) {
    throw new Error(`The dataset ${gone.join(", ") || "of this job"} was deleted.`);
  }
  removeWorkDir();
  // Each dataset is split on its own (its blocks never straddle two datasets), then pooled.
  const samples: Sample[] = [];
  const dirs = await fetchDatasets(
    datasets.map((d) => ({ id: d.id!, name: d.name })),
    workDir,
  );
  for (const [position, dir] of dirs.entries()) {
    const own = await loadDataset(dir, {
      ...DEFAULT_SPLIT,
      blockSize: job.recipe.blockSize,
    });
    for (const sample of own) {
      samples.push({
        ...sample,
        file: `${position}/${sample.file}`,
        block: `${position}/${sample.block}`,
      });
    }
  }
  // The card's external checks look beside the first dataset: its working folder has none.
  const dataDir = dirs[0]!;
  const recipe: Recipe = {
    ...DEFAULT_RECIPE,
    widths: [...ARCHITECTURES[job.recipe.architecture].widths],
    epochs: job.recipe.epochs,
    seed: job.recipe.seed,
    // A small dataset still gets a few batches an epoch.
    batchSize: Math.max(
      4,
      Math.min(
        job.recipe.batchSize,
        Math.floor(samples.filter((x) => x.split === "train").length / 4),
      ),
    ),
    patience: job.recipe.epochs,
    jitter: job.recipe.augmentation ? DEFAULT_RECIPE.jitter : { colour: 0, stain: 0 },
  };
  const splits = Object.fromEntries(
    ["train", "validation", "test"].map((s) => [s, samples.filter((x) => x.split === s).length]),
  );
  await recordEvent(job.id, "log", {
    event: "data",
    ...splits,
    batchSize: recipe.batchSize,
    seconds: (Date.now() - started) / 1000,
  });
  const out = path.join(workDir, "candidate", job.version);
  const resumeFrom = (await store.fetchCheckpoint(job.id, checkpointDir))
    ? await readCheckpoint(checkpointDir)
    : undefined;
  if (resumeFrom)
    await recordEvent(job.id, "log", { event: "resumed", afterEpoch: resumeFrom.epoch });
  let cancelled = false;
  let checked = 0;
  const result = await trainModel(samples, out, recipe, {
    startedAt: started,
    resumeFrom,
    log: async (row) => {
      const { event, ...rest } = row as { event: string };
      await recordEvent(
        job.id,
        event === "epoch" ? "epoch" : "log",
        event === "epoch" ? rest : row,
      );
    },
    onBatch: (row) => recordEvent(job.id, "batch", row),
    shouldStop: async () => {
      // One small read per batch (a batch takes about a second).
      checked += 1;
      cancelled = (await readJob(job.id))?.cancelRequested ?? true;
      return cancelled;
    },
    checkpoint: async (state) => {
      await writeCheckpoint(checkpointDir, state);
      await store.putCheckpoint(job.id, state.epoch, checkpointDir);
      await recordEpoch(job.id, state.epoch);
    },
  });
  if (cancelled) {
    await finishJob(job.id, "cancelled");
  } else if (result.bestEpoch === 0) {
    await finishJob(job.id, "failed", "No epoch finished: the dataset has no training batch.");
  } else {
    const { calibrate } = await import("./calibrate");
    await calibrate(out, samples, recipe.colour);
    const { evaluateToCard, measure } = await import("./evaluate");
    const card = await evaluateToCard(out, dataDir, samples);
    await describeTrainingData(out, job.recipe.blockSize, datasets);
    await recordEvent(job.id, "log", {
      event: "evaluated",
      seconds: (Date.now() - started) / 1000,
      checks: checked,
    });
    // The model in use (the build's, or a lab version from the store), through the same
    // evaluation on the same test images.
    const inUse = await activeVersion();
    const currentDir = path.join(workDir, "current", inUse);
    await copyModel(await activeSource(), currentDir);
    const current = await measure(currentDir, dataDir, samples, "test");
    // The files before the row: the job's end makes the candidate reviewable.
    await store.putCandidate(job.id, job.version, out);
    await writeComparison(job, {
      measuredAt: new Date().toISOString(),
      current: { version: inUse, metrics: current satisfies MeasuredFigures },
      candidate: { version: job.version, metrics: card.metrics satisfies MeasuredFigures },
    });
    await recordEvent(job.id, "log", {
      event: "compared",
      with: inUse,
      seconds: (Date.now() - started) / 1000,
    });
    await finishJob(job.id, "succeeded");
  }
} catch (error) {
  console.error(error);
  await finishJob(
    job.id,
    "failed",
    String(error instanceof Error ? error.message : error).slice(0, 500),
  );
  process.exitCode = 1;
} finally {
  removeWorkDir();
}
