import sharp from "sharp";
import { createAnalysis, type Classifier } from "~/analyses/create.server";
import type { DoctorClass } from "~/consultations/vocabulary";
import { type makeCertifiedDoctor, shareAndAnswer, type TestUser } from "../helpers";
import { smearLikeImage } from "../uploads/images";

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

let uploadSize = 200;
/** An upload by `patient` (a new image each time), answered by `doctor` with `doctorClass`. */
export async function answeredUpload(
  patient: TestUser,
  doctor: Awaited<ReturnType<typeof makeCertifiedDoctor>>,
  doctorClass: DoctorClass,
  researchConsent: boolean,
) {
  uploadSize += 3;
  const analysis = await createAnalysis(
    patient,
    { bytes: await smearLikeImage(uploadSize, uploadSize - 10), researchConsent },
    fixedClassifier,
  );
  await shareAndAnswer(doctor, patient, analysis.id, doctorClass);
  return analysis;
}
