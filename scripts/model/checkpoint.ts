/**
 * A training checkpoint on disk (after each epoch): the weights, the best weights so far and the
 * optimizer's state as one float32 file with a JSON index, written under a temporary name and
 * renamed, so an interrupted write leaves the previous checkpoint. Used by the model lab's jobs
 * and by `npm run train -- --checkpoint <dir>`.
 */
import fs from "node:fs/promises";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Checkpoint } from "./training";

type Stored = { name?: string; shape: number[]; offset: number; length: number };
type CheckpointFile = Omit<Checkpoint, "weights" | "bestWeights" | "optimizer"> & {
  weights: Stored[];
  bestWeights: Stored[];
  optimizer: Stored[];
};

/** A checkpoint as one float32 file and its index, written under a temporary name then renamed. */
export async function writeCheckpoint(checkpointDir: string, state: Checkpoint) {
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

export async function readCheckpoint(checkpointDir: string): Promise<Checkpoint | undefined> {
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
