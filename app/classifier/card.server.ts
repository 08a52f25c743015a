/** The current model's card (model-card.json), for the about page. */
import fs from "node:fs/promises";
import path from "node:path";
import type { ClassId } from "./classes";
import { currentModelDir } from "./node.server";

export type ModelCard = {
  version: string;
  date: string;
  architecture: string;
  inputSize: number;
  preprocessing: string;
  parameters: number;
  weightBytes: number;
  trainingData: {
    name: string;
    authors: string;
    source: string;
    doi: string;
    paper: string;
    description: string;
    split: { method: string; sizes: Record<string, { images: number; blocks: number }> };
  };
  training: {
    trainingMinutes: number;
    bestEpoch: number;
    hardware: string;
    learningCurve: Record<string, number>[];
  };
  metrics: {
    images: number;
    accuracy: number;
    perClass: Record<ClassId, { precision: number; recall: number; f1: number; support: number }>;
    confusionMatrix: { order: ClassId[]; values: number[][] };
    calibration: { temperature: number; eceBeforeScaling: number; eceAfterScaling: number };
    robustness: {
      cornerProbeFlipRate: number;
      colourJitterFlipRate: number;
      accuracyUnderColourJitter: number;
      accuracyUnderStrongColourShift: number;
    };
    inputVerdict: {
      cantAssessRateOnRealSmears: number;
      nonSmearRefusalRate: number;
      generatedNonSmearImages: number;
    };
  };
  inputVerdict: { method: string };
  intendedUse: string;
  knownLimits: string[];
};

let cached: Promise<ModelCard> | undefined;

export function getModelCard(): Promise<ModelCard> {
  cached ??= currentModelDir()
    .then((dir) => fs.readFile(path.join(dir, "model-card.json"), "utf8"))
    .then((text) => JSON.parse(text) as ModelCard);
  cached.catch(() => (cached = undefined));
  return cached;
}
