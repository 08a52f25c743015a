import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { prepareClassifier } from "~/classifier/classify";
import { foldModel } from "~/classifier/fused";
import { buildModel, FEATURE_LAYER } from "~/classifier/model";
import { getClassifier } from "~/classifier/node.server";

const OUTPUTS = [FEATURE_LAYER, "gap", "logits"];

/** A fixed input batch of standardised-looking values. */
const input = (n: number, size: number) =>
  tf.tensor4d(
    new Float32Array(n * size * size * 3).map((_, i) => Math.sin(i * 0.113) * 1.3),
    [n, size, size, 3],
  );

function maxDifference(a: tf.Tensor[], b: tf.Tensor[]): number {
  let worst = 0;
  a.forEach((t, i) => {
    const u = t.dataSync();
    const v = b[i]!.dataSync();
    expect(u.length).toBe(v.length);
    for (let j = 0; j < u.length; j++) worst = Math.max(worst, Math.abs(u[j]! - v[j]!));
  });
  return worst;
}

describe("batch norm folded into the convolutions", () => {
  beforeAll(() => startWasmBackend());

  test("the shipped model gives the layers model's feature maps, pooled features and logits (±1e-5)", async () => {
    const classifier = await getClassifier();
    const folded = foldModel(classifier.probe, OUTPUTS);
    expect(folded).not.toBeNull();
    expect(classifier.infer).not.toBe(undefined);
    tf.tidy(() => {
      const x = input(3, classifier.config.inputSize);
      const layered = classifier.probe.predict(x) as tf.Tensor[];
      expect(maxDifference(folded!(x), layered)).toBeLessThan(1e-5);
      expect(maxDifference(classifier.infer(x), layered)).toBeLessThan(1e-5);
    });
  });

  test("a freshly built network with non-trivial batch-norm statistics folds to the same outputs", () => {
    const model = buildModel({ inputSize: 32, widths: [4, 8], dropout: 0.3 }, 5);
    for (const layer of model.layers.filter((l) => l.getClassName() === "BatchNormalization")) {
      const n = layer.getWeights()[0]!.shape[0]!;
      const ramp = (k: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => k * (i + 1)));
      layer.setWeights([ramp(0.3), ramp(-0.1), ramp(0.05), ramp(0.7)]);
    }
    const folded = foldModel(model, ["gap", "logits"])!;
    expect(folded).not.toBeNull();
    tf.tidy(() => {
      const x = input(2, 32);
      const probe = tf.model({
        inputs: model.inputs,
        outputs: ["gap", "logits"].map((n) => model.getLayer(n).output as tf.SymbolicTensor),
      });
      expect(maxDifference(folded(x), probe.predict(x) as tf.Tensor[])).toBeLessThan(1e-4);
    });
  });

  test("a network it cannot fold runs as the layers model", () => {
    const x = tf.input({ shape: [16, 16, 3] });
    const conv = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, activation: "relu", name: FEATURE_LAYER })
      .apply(x) as tf.SymbolicTensor;
    const gap = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(conv) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 4, name: "logits" }).apply(gap) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: logits });
    expect(foldModel(model, OUTPUTS)).toBeNull();
    const classifier = prepareClassifier(model, {
      inputSize: 16,
    } as Parameters<typeof prepareClassifier>[1]);
    tf.tidy(() => {
      const batch = input(1, 16);
      expect(
        maxDifference(classifier.infer(batch), classifier.probe.predict(batch) as tf.Tensor[]),
      ).toBe(0);
    });
  });
});
