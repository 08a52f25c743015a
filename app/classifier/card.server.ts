/** A model version's card (model-card.json): the one in use for the about page, any for the lab. */
import type { ClassId } from "./classes";
import type { ModelSource } from "./files.server";
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
import { activeSource } from "./node.server";

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
    /** The trainings an ensemble or a weight average was made of. */
    members?: {
      from: string;
      seed: number;
      bestEpoch: number;
      trainingMinutes: number;
      initialisedFrom?: string | null;
    }[];
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

const cached = new Map<string, Promise<ModelCard>>();

/** The card of a version's files, read once per process (a version's files never change). */
export function readModelCard(source: ModelSource): Promise<ModelCard> {
  let card = cached.get(source.key);
  if (!card) {
    card = source
      .read("model-card.json")
      .then((bytes) => JSON.parse(bytes.toString("utf8")) as ModelCard);
    card.catch(() => cached.delete(source.key));
    cached.set(source.key, card);
  }
  return card;
}

/** The card of the version in use now. */
export async function getModelCard(): Promise<ModelCard> {
  return readModelCard(await activeSource());
}
