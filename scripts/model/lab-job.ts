/**
 * One model-lab training job, in its own process (started by app/lab/runner.server.ts):
 *   node --import tsx scripts/model/lab-job.ts <job id>
 * Loads the job's dataset with its block split, trains with the shared loop (training.ts),
 * records every batch and epoch as job events, keeps a checkpoint after each epoch (and resumes
 * from it when the job was interrupted), stops at the next batch when cancelled, then calibrates
 * and evaluates the candidate exactly as `npm run train` does, into its model card.
 */
import fs from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { datasetDir } from "~/lab/datasets.server";
import {
  candidateDir,
  finishJob,
  jobDir,
  readJob,
  recordEpoch,
  recordEvent,
} from "~/lab/jobs.server";
import { ARCHITECTURES } from "~/lab/vocabulary";
import { DEFAULT_SPLIT, loadDataset } from "./dataset";
import { DEFAULT_RECIPE, trainModel, type Checkpoint, type Recipe } from "./training";

const jobId = process.argv[2] ?? "";
const job = readJob(jobId);
if (!job || job.status !== "running" || !job.datasetId) {
  console.error(`lab-job: job ${jobId} is not running or has no dataset`);
  process.exit(2);
}

const checkpointDir = path.join(jobDir(job.id), "checkpoint");

type Stored = { name?: string; shape: number[]; offset: number; length: number };
type CheckpointFile = Omit<Checkpoint, "weights" | "bestWeights" | "optimizer"> & {
  weights: Stored[];
  bestWeights: Stored[];
  optimizer: Stored[];
};

/** A checkpoint as one float32 file and its index, written under a temporary name then renamed. */
async function writeCheckpoint(state: Checkpoint) {
  const chunks: Float32Array[] = [];
  let offset = 0;
  const store = (tensor: tf.Tensor, name?: string): Stored => {
    const data = tensor.dataSync() as Float32Array;
    chunks.push(data);
    const stored = { name, shape: tensor.shape, offset, length: data.length };
    offset += data.length;
    return stored;
  };
  const index: CheckpointFile = {
    epoch: state.epoch,
    curve: state.curve,
    best: state.best,
    weights: state.weights.map((w) => store(w)),
    bestWeights: state.bestWeights.map((w) => store(w)),
    optimizer: state.optimizer.map((n) => store(n.tensor, n.name)),
  };
  const all = new Float32Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  const next = `${checkpointDir}.next`;
  await fs.rm(next, { recursive: true, force: true });
  await fs.mkdir(next, { recursive: true });
  await fs.writeFile(path.join(next, "tensors.bin"), Buffer.from(all.buffer));
  await fs.writeFile(path.join(next, "checkpoint.json"), JSON.stringify(index));
  await fs.rm(checkpointDir, { recursive: true, force: true });
  await fs.rename(next, checkpointDir);
}

async function readCheckpoint(): Promise<Checkpoint | undefined> {
  const text = await fs
    .readFile(path.join(checkpointDir, "checkpoint.json"), "utf8")
    .catch(() => null);
  if (!text) return undefined;
  const index = JSON.parse(text) as CheckpointFile;
  const bytes = await fs.readFile(path.join(checkpointDir, "tensors.bin"));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const load = (s: Stored) => tf.tensor(all.slice(s.offset, s.offset + s.length), s.shape);
  return {
    epoch: index.epoch,
    curve: index.curve,
    best: index.best,
    weights: index.weights.map(load),
    bestWeights: index.bestWeights.map(load),
    optimizer: index.optimizer.map((s) => ({ name: s.name!, tensor: load(s) })),
  };
}

try {
  await startWasmBackend();
  const started = Date.now();
  const dataDir = datasetDir(job.datasetId);
  const samples = await loadDataset(dataDir, { ...DEFAULT_SPLIT, blockSize: job.recipe.blockSize });
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
  recordEvent(job.id, "log", {
    event: "data",
    ...splits,
    batchSize: recipe.batchSize,
    seconds: (Date.now() - started) / 1000,
  });
  const out = candidateDir(job);
  const resumeFrom = await readCheckpoint();
  if (resumeFrom) recordEvent(job.id, "log", { event: "resumed", afterEpoch: resumeFrom.epoch });
  let cancelled = false;
  let checked = 0;
  const result = await trainModel(samples, out, recipe, {
    startedAt: started,
    resumeFrom,
    log: (row) => {
      const { event, ...rest } = row as { event: string };
      recordEvent(job.id, event === "epoch" ? "epoch" : "log", event === "epoch" ? rest : row);
    },
    onBatch: (row) => recordEvent(job.id, "batch", row),
    shouldStop: () => {
      // One small read per batch (a batch takes about a second).
      checked += 1;
      cancelled = readJob(job.id)?.cancelRequested ?? true;
      return cancelled;
    },
    checkpoint: async (state) => {
      await writeCheckpoint(state);
      recordEpoch(job.id, state.epoch);
    },
  });
  if (cancelled) {
    finishJob(job.id, "cancelled");
  } else if (result.bestEpoch === 0) {
    finishJob(job.id, "failed", "No epoch finished: the dataset has no training batch.");
  } else {
    const { calibrate } = await import("./calibrate");
    await calibrate(out, samples, recipe.colour);
    const { evaluateToCard } = await import("./evaluate");
    await evaluateToCard(out, dataDir, samples);
    recordEvent(job.id, "log", {
      event: "evaluated",
      seconds: (Date.now() - started) / 1000,
      checks: checked,
    });
    finishJob(job.id, "succeeded");
  }
} catch (error) {
  console.error(error);
  finishJob(job.id, "failed", String(error instanceof Error ? error.message : error).slice(0, 500));
  process.exitCode = 1;
}
