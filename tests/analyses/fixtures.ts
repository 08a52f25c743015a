import sharp from "sharp";
import type { Classifier } from "~/analyses/create.server";

/**
 * A classifier double for tests of storage and access rules; the real model has its own
 * tests (tests/classifier) and the browser stories use it end to end.
 */
export const fixedClassifier: Classifier = async () => ({
  classification: {
    verdict: "ok",
    reasons: [],
    probabilities: { benign: 0.05, early_pre_b: 0.1, pre_b: 0.8, pro_b: 0.05 },
    top: "pre_b",
    confidence: "high",
    modelVersion: "test-model",
    capture: null,
  },
  heatmapPng: await sharp({ create: { width: 8, height: 8, channels: 4, background: "#f00" } })
    .png()
    .toBuffer(),
});
