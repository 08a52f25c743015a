/** The current model's card (model-card.json), for the about page. */
import fs from "node:fs/promises";
import path from "node:path";
import type { ClassId } from "./classes";
import type { ReasonCode } from "./vocabulary";

type ClassMetrics = {
  accuracy: number;
  perClass: Record<ClassId, { precision: number; recall: number; f1: number; support: number }>;
  confusionMatrix: { order: ClassId[]; values: number[][] };
};

export type RecaptureSummary = {
  describe: string;
  images: number;
  stagedRate: number;
  accuracyOfStaged: number;
  leukaemicCalledBenignRate: number;
};

export type OtherLabSummary = {
  images: number;
  stagedRate: number;
  stagedAsLeukaemiaRate: number;
  stagedAsLeukaemiaWithP90Rate: number;
};
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
    staged: ClassMetrics & {
      images: number;
      refusedRate: number;
      leukaemicCalledBenignRate: number;
      earlyPreBCalledBenign: number;
      reasons: Partial<Record<ReasonCode, number>>;
    };
    all: ClassMetrics;
    calibration: {
      temperature: number;
      eceBeforeScaling: number;
      eceAfterScaling: number;
      eceAllImages: number;
    };
    robustness: {
      cornerProbeChangeRate: number;
      colourJitterChangeRate: number;
      strongColourShift: RecaptureSummary;
    };
    recaptures: Record<string, RecaptureSummary>;
    otherLaboratories?: {
      bySource: Record<string, OtherLabSummary>;
      bySubfolder: Record<string, OtherLabSummary>;
      leaveOneSourceOut: {
        heldOut: string;
        tunedLimitMultiple: number;
        heldOutStagedAsLeukaemiaRate: number;
        heldOutStagedRate: number;
        shippedLimitHeldOutStagedAsLeukaemiaRate: number;
      }[];
    };
    realNonSmears?: {
      images: number;
      refusedRate: number;
      byKind: Record<string, { images: number; refusedRate: number }>;
    };
    generatedNonSmears: { images: number; refusedRate: number };
  };
  inputVerdict: { method: string };
  evaluationData?: string[];
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
