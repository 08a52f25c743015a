import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { benignLoss } from "../../scripts/model/training";

beforeAll(async () => {
  await startWasmBackend();
});

/** −log(1 − softmax(row)[0]) written out, for rows whose class is not benign. */
function direct(row: number[]): number {
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return -Math.log(1 - exps[0]! / total);
}

describe("the benign penalty", () => {
  const rows = [
    [4, 0, -1, 0.5], // benign, leukaemic label: a confident false reassurance
    [-2, 3, 0, 0], // early pre-B, leukaemic label, benign unlikely
    [6, 0, 0, 0], // benign label: no penalty whatever its logits
    [0.2, 0.1, 0.4, 0.3], // pro-B label, undecided
  ];
  const labels = [1, 1, 0, 3];

  it("is −log(1 − P(benign)) averaged over the batch, counting leukaemic rows only", () => {
    const value = tf.tidy(
      () =>
        benignLoss(tf.tensor2d(rows), tf.oneHot(tf.tensor1d(labels, "int32"), 4)).dataSync()[0]!,
    );
    const expected = (direct(rows[0]!) + direct(rows[1]!) + direct(rows[3]!)) / rows.length;
    expect(value).toBeCloseTo(expected, 5);
  });

  it("is largest for a leukaemic tile called benign with confidence", () => {
    const loss = (row: number[]) =>
      tf.tidy(() => benignLoss(tf.tensor2d([row]), tf.oneHot([2], 4)).dataSync()[0]!);
    expect(loss([8, 0, 0, 0])).toBeCloseTo(direct([8, 0, 0, 0]), 4);
    expect(loss([8, 0, 0, 0])).toBeGreaterThan(6.5);
    expect(loss([-8, 0, 4, 0])).toBeLessThan(1e-4);
  });

  it("does not grow for benign rows", () => {
    const value = tf.tidy(
      () => benignLoss(tf.tensor2d([[-9, 9, 9, 9]]), tf.oneHot([0], 4)).dataSync()[0]!,
    );
    expect(value).toBe(0);
  });
});
