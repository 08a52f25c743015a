import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { readCheckpoint, writeCheckpoint } from "../../scripts/model/checkpoint";
import type { Checkpoint } from "../../scripts/model/training";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "checkpoint-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
beforeAll(() => startWasmBackend());

const values = (tensors: tf.Tensor[]) => tensors.map((t) => [t.shape, Array.from(t.dataSync())]);

describe("a training checkpoint on disk", () => {
  test("reads back exactly what was written, and nothing when there is none", async () => {
    const at = path.join(dir, "run");
    expect(await readCheckpoint(at)).toBeUndefined();
    const state = {
      epoch: 3,
      curve: [{ epoch: 1 }, { epoch: 2 }, { epoch: 3 }],
      best: { score: 5.5, epoch: 2 },
      weights: [tf.tensor([1.5, -2, 3.25, 0], [2, 2]), tf.tensor([7], [1])],
      bestWeights: [tf.tensor([0.5, 0.25, 0.125, 1], [2, 2]), tf.tensor([-7], [1])],
      optimizer: [{ name: "iter", tensor: tf.tensor([42], [1]) }],
    } as unknown as Checkpoint;
    await writeCheckpoint(at, state);
    const read = (await readCheckpoint(at))!;
    expect(read.epoch).toBe(3);
    expect(read.curve).toEqual(state.curve);
    expect(read.best).toEqual(state.best);
    expect(values(read.weights)).toEqual(values(state.weights));
    expect(values(read.bestWeights)).toEqual(values(state.bestWeights));
    expect(read.optimizer.map((o) => o.name)).toEqual(["iter"]);
    expect(values(read.optimizer.map((o) => o.tensor))).toEqual([[[1], [42]]]);
  });

  test("a newer checkpoint replaces the older one and leaves no temporary folder", async () => {
    const at = path.join(dir, "replace");
    const make = (epoch: number) =>
      ({
        epoch,
        curve: [],
        best: { score: epoch, epoch },
        weights: [tf.tensor([epoch], [1])],
        bestWeights: [tf.tensor([epoch], [1])],
        optimizer: [],
      }) as unknown as Checkpoint;
    await writeCheckpoint(at, make(1));
    await writeCheckpoint(at, make(2));
    expect((await readCheckpoint(at))!.epoch).toBe(2);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("replace"))).toEqual(["replace"]);
  });
});
