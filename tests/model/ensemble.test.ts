import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { prepareClassifier } from "~/classifier/classify";
import { foldModel } from "~/classifier/fused";
import { buildModel, FEATURE_LAYER, type Architecture } from "~/classifier/model";
import { joinMembers } from "../../scripts/model/ensemble";

const ARCH: Architecture = { inputSize: 32, widths: [4, 8], dropout: 0.3 };
const OUTPUTS = [FEATURE_LAYER, "gap", "logits"];

const input = (n: number) =>
  tf.tensor4d(
    new Float32Array(n * 32 * 32 * 3).map((_, i) => Math.sin(i * 0.113) * 1.3),
    [n, 32, 32, 3],
  );

/** A member with batch-norm statistics of its own, so that folding has something to fold. */
function member(seed: number) {
  const model = buildModel(ARCH, seed);
  for (const layer of model.layers.filter((l) => l.getClassName() === "BatchNormalization")) {
    const n = layer.getWeights()[0]!.shape[0]!;
    const ramp = (k: number) => tf.tensor1d(Array.from({ length: n }, (_, i) => k * (i + seed)));
    layer.setWeights([ramp(0.3), ramp(-0.1), ramp(0.05), ramp(0.7)]);
  }
  const [kernel] = model.getLayer("logits").getWeights();
  model.getLayer("logits").setWeights([kernel!, tf.tensor1d([0.1, -0.2, 0.3, seed])]);
  return model;
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe("an ensemble joined into one model", () => {
  beforeAll(() => startWasmBackend());

  test("its logits are the mean of the members' logits, its features theirs side by side", () => {
    const members = [member(1), member(2), member(3)];
    const joined = joinMembers(members, ARCH);
    tf.tidy(() => {
      const x = input(2);
      const each = members.map((m) => m.predict(x) as tf.Tensor);
      const mean = values(tf.div(tf.addN(each), members.length));
      values(joined.predict(x) as tf.Tensor).forEach((v, i) => expect(v).toBeCloseTo(mean[i]!, 4));

      const pooled = (m: tf.LayersModel, name: string) =>
        tf.model({ inputs: m.inputs, outputs: m.getLayer(name).output as tf.SymbolicTensor });
      const side = values(
        tf.concat(
          members.map((m) => pooled(m, "gap").predict(x) as tf.Tensor),
          -1,
        ),
      );
      const gap = values(pooled(joined, "gap").predict(x) as tf.Tensor);
      expect(gap).toHaveLength(side.length);
      gap.forEach((v, i) => expect(v).toBeCloseTo(side[i]!, 4));
    });
  });

  test("folds branch by branch to the layers model's outputs, and the classifier uses the fold", () => {
    const joined = joinMembers([member(1), member(2)], ARCH);
    const folded = foldModel(joined, OUTPUTS);
    expect(folded).not.toBeNull();
    const classifier = prepareClassifier(joined, {
      inputSize: 32,
    } as Parameters<typeof prepareClassifier>[1]);
    expect(classifier.headWeights).toHaveLength(2 * 8 * 4);
    tf.tidy(() => {
      const x = input(2);
      const layered = classifier.probe.predict(x) as tf.Tensor[];
      const fused = folded!(x);
      expect(fused.map((t) => t.shape)).toEqual(layered.map((t) => t.shape));
      fused.forEach((t, k) => {
        const u = values(t);
        const v = values(layered[k]!);
        const scale = Math.max(1, ...v.map(Math.abs));
        u.forEach((value, i) => expect(Math.abs(value - v[i]!)).toBeLessThan(1e-4 * scale));
      });
      const viaClassifier = values(classifier.infer(x)[2]!);
      values(layered[2]!).forEach((v, i) => expect(viaClassifier[i]).toBeCloseTo(v, 3));
    });
  });

  test("a branch read twice is not folded into (the fold would change the other reader's input)", () => {
    const x = tf.input({ shape: [16, 16, 3] });
    const conv = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, useBias: false, name: "conv" })
      .apply(x) as tf.SymbolicTensor;
    const bn = tf.layers.batchNormalization({ name: "bn" }).apply(conv) as tf.SymbolicTensor;
    const joined = tf.layers
      .concatenate({ name: FEATURE_LAYER })
      .apply([bn, conv]) as tf.SymbolicTensor;
    const gap = tf.layers
      .globalAveragePooling2d({ name: "gap" })
      .apply(joined) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ units: 4, name: "logits" }).apply(gap) as tf.SymbolicTensor;
    expect(foldModel(tf.model({ inputs: x, outputs: logits }), OUTPUTS)).toBeNull();
  });
});
