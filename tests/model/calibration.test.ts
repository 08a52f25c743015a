import { softmax } from "~/classifier/classify";
import { fitTemperature, negativeLogLikelihood } from "../../scripts/model/calibrate";
import { classificationMetrics, expectedCalibrationError } from "../../scripts/model/evaluate";
import { gaussian, mulberry32 } from "../../scripts/model/random";

/** Logits whose labels are drawn from softmax(logits / trueT): calibrated at temperature trueT. */
function synthetic(trueT: number, n = 3000, seed = 7) {
  const random = mulberry32(seed);
  const logits: Float32Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = Float32Array.from({ length: 4 }, () => 3 * gaussian(random));
    const p = softmax(l, trueT);
    let u = random();
    let label = 0;
    while (label < 3 && (u -= p[label]!) > 0) label++;
    logits.push(l);
    labels.push(label);
  }
  return { logits, labels };
}

describe("temperature scaling", () => {
  test.each([0.7, 1, 2, 3])("recovers the temperature %s the labels were drawn at", (t) => {
    const { logits, labels } = synthetic(t);
    expect(Math.abs(fitTemperature(logits, labels) - t)).toBeLessThan(0.15 * t + 0.05);
  });

  test("the fitted temperature has the lowest negative log-likelihood of its neighbours", () => {
    const { logits, labels } = synthetic(2);
    const t = fitTemperature(logits, labels);
    const at = (x: number) => negativeLogLikelihood(logits, labels, x);
    expect(at(t)).toBeLessThanOrEqual(at(t - 0.05));
    expect(at(t)).toBeLessThanOrEqual(at(t + 0.05));
  });
});

describe("expected calibration error", () => {
  test("is zero when confidence equals accuracy in every bin", () => {
    // Ten predictions at 0.8 confidence, eight of them right.
    const p = Array.from({ length: 10 }, () => [0.8, 0.1, 0.05, 0.05]);
    const labels = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
    expect(expectedCalibrationError(p, labels)).toBeCloseTo(0, 10);
  });

  test("is the gap, weighted by bin size, when the model is over-confident", () => {
    // Bin 0.9: four predictions, all wrong (gap 0.9); bin 0.6: four, all right (gap 0.4).
    const p = [
      ...Array.from({ length: 4 }, () => [0.9, 0.05, 0.03, 0.02]),
      ...Array.from({ length: 4 }, () => [0.1, 0.6, 0.2, 0.1]),
    ];
    const labels = [1, 1, 1, 1, 1, 1, 1, 1];
    expect(expectedCalibrationError(p, labels)).toBeCloseTo(0.5 * 0.9 + 0.5 * 0.4, 10);
  });

  test("is small for labels drawn from the stated probabilities", () => {
    const { logits, labels } = synthetic(1, 20_000, 11);
    const p = logits.map((l) => softmax(l, 1));
    expect(expectedCalibrationError(p, labels)).toBeLessThan(0.02);
    // The same model made over-confident (temperature 0.5) is visibly miscalibrated.
    const sharp = logits.map((l) => softmax(l, 0.5));
    expect(expectedCalibrationError(sharp, labels)).toBeGreaterThan(0.05);
  });
});

describe("classification metrics", () => {
  test("accuracy, per-class precision, recall, F1 and the confusion matrix by hand", () => {
    // true:      0 0 0 1 1 2 2 2 3 3
    // predicted: 0 0 1 1 1 2 3 2 3 0
    const labels = [0, 0, 0, 1, 1, 2, 2, 2, 3, 3];
    const predicted = [0, 0, 1, 1, 1, 2, 3, 2, 3, 0];
    const m = classificationMetrics(predicted, labels);
    expect(m.accuracy).toBe(0.7);
    expect(m.confusionMatrix.values).toEqual([
      [2, 1, 0, 0],
      [0, 2, 0, 0],
      [0, 0, 2, 1],
      [1, 0, 0, 1],
    ]);
    // benign: called 3 times (2 right), 3 actual (2 found).
    expect(m.perClass.benign).toEqual({
      precision: 0.6667,
      recall: 0.6667,
      f1: 0.6667,
      support: 3,
    });
    // early pre-B: called 3 times (2 right), all 2 found.
    expect(m.perClass.early_pre_b).toEqual({ precision: 0.6667, recall: 1, f1: 0.8, support: 2 });
    expect(m.perClass.pro_b).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
  });

  test("a class never predicted and never present scores zero, not NaN", () => {
    const m = classificationMetrics([0, 0, 1], [0, 0, 1]);
    expect(m.accuracy).toBe(1);
    expect(m.perClass.pro_b).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });
});
