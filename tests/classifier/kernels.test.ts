import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { startWasmBackend } from "~/classifier/backend.server";

/** Gradients of `f` w.r.t. its inputs on one backend, as plain arrays. */
async function gradientsOn(
  backend: string,
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: { values: Float32Array; shape: number[] }[],
) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(i.values, i.shape));
    // A non-uniform output gradient, so every position's contribution is checked.
    const loss = (...a: tf.Tensor[]) => {
      const y = f(...a);
      return tf.sum(tf.mul(y, tf.sin(tf.reshape(tf.range(0, y.size), y.shape))));
    };
    const grads = tf.grads(loss)(xs);
    return grads.map((g) => g.dataSync() as Float32Array);
  });
}

function random(shape: number[], seed: number) {
  let s = seed;
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s * 16807) % 2147483647;
    values[i] = s / 2147483647 - 0.5;
  }
  return { values, shape };
}

function relativeError(a: Float32Array, b: Float32Array) {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-12));
}

describe("wasm backward kernels", () => {
  beforeAll(async () => {
    await startWasmBackend();
  });

  const cases: [string, number, "same" | "valid", number[], number[]][] = [
    ["3×3 same, stride 1", 1, "same", [2, 9, 7, 3], [3, 3, 3, 4]],
    ["3×3 valid, stride 1", 1, "valid", [2, 8, 8, 2], [3, 3, 2, 5]],
    ["3×3 same, stride 2", 2, "same", [2, 9, 9, 3], [3, 3, 3, 4]],
    ["1×1, stride 1", 1, "valid", [3, 5, 5, 4], [1, 1, 4, 6]],
  ];
  test.each(cases)(
    "conv2d gradients match the CPU backend: %s",
    async (_, stride, pad, xShape, wShape) => {
      const inputs = [random(xShape, 7), random(wShape, 11)];
      const conv = (x: tf.Tensor, w: tf.Tensor) =>
        tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad);
      const cpu = await gradientsOn("cpu", conv, inputs);
      const wasm = await gradientsOn("wasm", conv, inputs);
      expect(relativeError(wasm[0]!, cpu[0]!)).toBeLessThan(1e-4);
      expect(relativeError(wasm[1]!, cpu[1]!)).toBeLessThan(1e-4);
    },
  );

  test("batch-norm gradients match the CPU backend", async () => {
    const inputs = [random([4, 5, 5, 3], 3), random([3], 5), random([3], 9)];
    const bn = (x: tf.Tensor, offset: tf.Tensor, scale: tf.Tensor) => {
      const mean = tf.mean(x, [0, 1, 2]);
      const variance = tf.moments(x, [0, 1, 2]).variance;
      return tf.batchNorm(x, mean, variance, offset, tf.add(scale, 1), 1e-3);
    };
    const cpu = await gradientsOn("cpu", bn, inputs);
    const wasm = await gradientsOn("wasm", bn, inputs);
    cpu.forEach((g, i) => expect(relativeError(wasm[i]!, g)).toBeLessThan(1e-4));
  });

  test("the kernels keep no more tensors than the CPU backend's own", async () => {
    const added = async (backend: string) => {
      await tf.setBackend(backend);
      const x = tf.randomNormal([2, 6, 6, 3]);
      const w = tf.randomNormal([3, 3, 3, 4]);
      const before = tf.memory().numTensors;
      tf.tidy(() =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same")),
        )([x, w]),
      );
      const count = tf.memory().numTensors - before;
      tf.dispose([x, w]);
      return count;
    };
    expect(await added("wasm")).toBe(await added("cpu"));
  });
});
