import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { prepareClassifier } from "~/classifier/classify";
import { foldModel } from "~/classifier/fused";
import { buildModel, FEATURE_LAYER, type Architecture } from "~/classifier/model";
import {
  averageMembers,
  ensembleRecord,
  joinMembers,
  networkOf,
} from "../../scripts/model/ensemble";
import type { TrainingRecord } from "../../scripts/model/evaluate";

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

describe("a weight average of trainings (a uniform soup)", () => {
  beforeAll(() => startWasmBackend());

  /** A member whose features are not all cut by the ReLUs, so that its logits depend on them. */
  const live = (seed: number) => {
    const model = member(seed);
    for (const layer of model.layers.filter((l) => l.getClassName() === "BatchNormalization")) {
      const [gamma, , mean, variance] = layer.getWeights();
      const n = gamma!.shape[0]!;
      const beta = tf.tensor1d(Array.from({ length: n }, (_, i) => 0.2 + 0.05 * ((i * seed) % 7)));
      layer.setWeights([gamma!, beta, mean!, variance!]);
    }
    return model;
  };

  test("every weight, batch-norm statistics included, is the members' mean", () => {
    const members = [live(1), live(2), live(3)];
    const soup = averageMembers(members, ARCH);
    expect(soup.countParams()).toBe(members[0]!.countParams());
    for (const layer of soup.layers) {
      const got = layer.getWeights().map(values);
      got.forEach((w, k) => {
        const each = members.map((m) => values(m.getLayer(layer.name).getWeights()[k]!));
        w.forEach((v, i) => {
          const mean = each.reduce((a, e) => a + e[i]!, 0) / each.length;
          expect(v).toBeCloseTo(mean, 5);
        });
      });
    }
    // Not the ensemble: a soup of different weights is not the mean of their logits.
    tf.tidy(() => {
      const x = input(1);
      const soupLogits = values(soup.predict(x) as tf.Tensor);
      const ensembleLogits = values(joinMembers(members, ARCH).predict(x) as tf.Tensor);
      expect(soupLogits.some((v, i) => Math.abs(v - ensembleLogits[i]!) > 1e-3)).toBe(true);
    });
  });

  test("a soup of one set of weights twice is that network, and its record counts one network", () => {
    const one = live(4);
    const soup = averageMembers([one, live(4)], ARCH);
    tf.tidy(() => {
      const x = input(2);
      const a = values(one.predict(x) as tf.Tensor);
      values(soup.predict(x) as tf.Tensor).forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 4));
    });
    const record = {
      architecture: ARCH,
      parameters: 1000,
      trainingSeconds: 60,
      seed: 3,
      bestEpoch: 2,
      initialisedFrom: "base",
      learningCurve: [],
    } as unknown as TrainingRecord;
    const averaged = ensembleRecord([record, record], ["runs/a", "runs/b"], 500, true);
    expect(averaged.parameters).toBe(1000);
    expect(averaged.architecture).toMatchObject({ averagedFrom: 2 });
    expect(averaged.members.map((m) => m.initialisedFrom)).toEqual(["base", "base"]);
    expect(ensembleRecord([record, record], ["a", "b"], 500).parameters).toBe(2000);
  });

  test("a weight average is one network of its members' shape, so it can be averaged again; an ensemble is not", () => {
    const record = { architecture: ARCH } as unknown as TrainingRecord;
    const averaged = { architecture: { ...ARCH, averagedFrom: 2 } } as unknown as TrainingRecord;
    const joined = { architecture: { ...ARCH, members: 2 } } as unknown as TrainingRecord;
    expect(networkOf(averaged)).toEqual(networkOf(record));
    expect(networkOf(joined)).not.toEqual(networkOf(record));
  });

  test("members of different shapes are refused", () => {
    const other = buildModel({ ...ARCH, widths: [4, 6] }, 1);
    expect(() => averageMembers([member(1), other], ARCH)).toThrow(/differs in shape/);
  });
});
