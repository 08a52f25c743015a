import * as tf from "@tensorflow/tfjs";
import { expect, test } from "vitest";
import { toFloat16 } from "~/classifier/files.server";

test("float16 weights round-trip through the tfjs manifest decoder", () => {
  const values = new Float32Array([0, 1, -2.5, 0.1, 65504, 1e-5, -3.14159, 6e-8, 1e6, -0]);
  const half = toFloat16(values);
  const decoded = tf.io.decodeWeights(half.buffer as ArrayBuffer, [
    { name: "w", shape: [values.length], dtype: "float32", quantization: { dtype: "float16" } },
  ]);
  const back = decoded.w!.dataSync();
  values.forEach((v, i) => {
    if (Math.abs(v) > 65504) expect(back[i]).toBe(v > 0 ? Infinity : -Infinity);
    else expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 1e-3, 6e-8));
  });
});
