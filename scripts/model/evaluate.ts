/**
 * Measure a model folder and write (or check) its model card. Everything runs through the same
 * pipeline as the app (decode → capture normalisation → tiles → network → smear check →
 * selective staging), on images the model never saw:
 *  - the held-out test blocks of the training hospital: accuracy and recall on what is staged,
 *    refusals, calibration, the scale-bar corner and colour-jitter probes;
 *  - the same test smears re-captured: enlarged 2×, shrunk 0.75×, through a simulated eyepiece,
 *    colour-cast;
 *  - other laboratories (normal blood) and real non-smear images from `../shared/datasets`,
 *    when that folder is there; generated non-smear images always.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { CLASS_IDS } from "~/classifier/classes";
import {
  analyseCapture,
  DEFAULT_STAGING,
  softmax,
  verdictReasons,
  type LoadedClassifier,
} from "~/classifier/classify";
import { applyColourShift, randomShift } from "~/classifier/colour";
import { decodeImage } from "~/classifier/decode.server";
import { loadRuntime } from "~/classifier/files.server";
import type { RgbImage } from "~/classifier/pixels";
import type { ColourMode, RuntimeConfig } from "~/classifier/runtime";
import type { ReasonCode } from "~/classifier/vocabulary";
import { DEFAULT_SPLIT, splitSizes, type Sample, type Split } from "./dataset";
import { openFolder } from "./features";
import { generateNonSmears } from "./non-smear";
import { mulberry32 } from "./random";
import { colourCast, cropTop, EVAL_EYEPIECE, eyepiece, rescale } from "./recapture";

export const DATASET_CITATION = {
  name: "Acute Lymphoblastic Leukemia (ALL) image dataset",
  authors:
    "Mehrad Aria, Mustafa Ghaderzadeh, Davood Bashash, Hassan Abolghasemi, Farkhondeh Asadi, Azamossadat Hosseini",
  source: "Kaggle (2021)",
  doi: "10.34740/KAGGLE/DSV/2175623",
  paper:
    'Ghaderzadeh M. et al., "A fast and efficient CNN model for B-ALL diagnosis and its subtypes classification using peripheral blood smear images", Int J Intell Syst 2022;37:5113–5133, doi:10.1002/int.22753',
  description:
    "224×224 Wright-Giemsa stained peripheral blood smear fields from Taleqani Hospital (Tehran), 89 patients (25 benign, 64 ALL)",
};

export const EXTERNAL_CITATIONS = [
  'PBC dataset: Acevedo A., Merino A., Alférez S., Molina Á., Boldú L., Rodellar J. "A dataset of microscopic peripheral blood cell images for development of automatic recognition systems", Data in Brief 30 (2020) 105474, doi:10.1016/j.dib.2020.105474',
  "BCCD Dataset (Shenggan, MIT licence)",
];

export const INTENDED_USE =
  "Informational; not a diagnosis. Validated for photos of Wright- or Giemsa-stained peripheral blood smears taken through a microscope at about the training set's magnification (100× oil objective, a whole field of view), by a microscope camera or a phone held to the eyepiece, including photos enlarged up to 2× or shrunk to 0.75× and moderate colour casts. Not validated for other laboratories' stains and optics, single-cell crops, bone marrow, other leukaemias or lymphomas. It stages only what it can stand behind and otherwise says it cannot assess the image. A hematologist must confirm any result.";

export const KNOWN_LIMITS = [
  'Single hospital, single staining protocol and microscope: smears from other laboratories are mostly refused ("can\'t assess"), not staged; a refusal is not a normal result.',
  "No patient-level split is possible (no patient IDs): blocks of consecutive file numbers approximate it; accuracy on new patients may be lower.",
  "Adult / child mix of the patients is unknown.",
  "Four classes only: other leukemias (e.g. AML), lymphomas and reactive conditions are outside what the model knows.",
  "The eyepiece and rescaling results come from simulated re-captures of the test smears, not from real phone photos.",
  "Heat-maps (class activation maps) show where the evidence for the top class lies, not what a cell is.",
];

const round = (v: number, digits = 4) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Expected calibration error over 10 equal-width confidence bins. */
export function expectedCalibrationError(
  probabilities: number[][],
  labels: number[],
  bins = 10,
): number {
  const count = new Array<number>(bins).fill(0);
  const confidence = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  probabilities.forEach((p, i) => {
    const top = Math.max(...p);
    const bin = Math.min(bins - 1, Math.floor(top * bins));
    count[bin]! += 1;
    confidence[bin]! += top;
    correct[bin]! += p.indexOf(top) === labels[i] ? 1 : 0;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b])
      ece +=
        (count[b]! / labels.length) *
        Math.abs(confidence[b]! / count[b]! - correct[b]! / count[b]!);
  }
  return ece;
}

export function classificationMetrics(predicted: number[], labels: number[]) {
  const k = CLASS_IDS.length;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  predicted.forEach((p, i) => (confusion[labels[i]!]![p]! += 1));
  const perClass = Object.fromEntries(
    CLASS_IDS.map((id, c) => {
      const tp = confusion[c]![c]!;
      const actual = confusion[c]!.reduce((a, b) => a + b, 0);
      const called = confusion.reduce((a, row) => a + row[c]!, 0);
      const precision = called ? tp / called : 0;
      const recall = actual ? tp / actual : 0;
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
      return [
        id,
        { precision: round(precision), recall: round(recall), f1: round(f1), support: actual },
      ];
    }),
  );
  const accuracy = labels.length
    ? predicted.filter((p, i) => p === labels[i]).length / labels.length
    : 0;
  return {
    accuracy: round(accuracy),
    perClass,
    confusionMatrix: {
      rows: "true class",
      columns: "predicted class",
      order: CLASS_IDS,
      values: confusion,
    },
  };
}

const argmax = (values: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
};

/** Paint the bottom-right corner (where the scale bar sits) with a colour. */
export function paintCorner(image: RgbImage, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(image.data);
  const w = Math.round(image.width * 0.32);
  const h = Math.round(image.height * 0.14);
  for (let y = image.height - h; y < image.height; y++) {
    for (let x = image.width - w; x < image.width; x++) data.set(rgb, (y * image.width + x) * 3);
  }
  return { ...image, data };
}

/** One image through the app's pipeline: staged class (or -1), calibrated and raw probabilities. */
type Judged = {
  staged: boolean;
  top: number;
  calibrated: number[];
  raw: number[];
  reasons: ReasonCode[];
  /** For re-judging under another feature-distance limit (leave-one-source-out). */
  distance: number;
  /** Would it be staged with no distance limit at all? */
  stagedWithoutLimit: boolean;
};

function judge(c: LoadedClassifier, image: RgbImage): Judged {
  const analysed = analyseCapture(c, image);
  const reasons = verdictReasons(c.config, analysed);
  const unlimited = verdictReasons(
    { ...c.config, ood: { ...c.config.ood, maxDistance: Infinity } },
    analysed,
  );
  const calibrated = softmax(analysed.logits, c.config.temperature);
  return {
    staged: reasons.length === 0,
    top: argmax(calibrated),
    calibrated,
    raw: softmax(analysed.logits, 1),
    reasons,
    distance: analysed.distance,
    stagedWithoutLimit: unlimited.length === 0,
  };
}

const BENIGN = 0;
const answerOf = (j: Judged) => (j.staged ? j.top : -1);

/** Staged share, accuracy of what is staged, leukaemic smears called benign. */
function recaptureSummary(judged: Judged[], labels: number[]) {
  const staged = judged.filter((j) => j.staged);
  const right = judged.filter((j, i) => j.staged && j.top === labels[i]).length;
  const malignant = labels.filter((l) => l !== BENIGN).length;
  const calledBenign = judged.filter(
    (j, i) => j.staged && j.top === BENIGN && labels[i] !== BENIGN,
  ).length;
  return {
    images: judged.length,
    stagedRate: round(staged.length / judged.length),
    accuracyOfStaged: round(staged.length ? right / staged.length : 0),
    leukaemicCalledBenignRate: round(malignant ? calledBenign / malignant : 0),
    reasons: countReasons(judged),
  };
}

function countReasons(judged: Judged[]) {
  const counts: Partial<Record<ReasonCode, number>> = {};
  for (const j of judged) for (const r of j.reasons) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

export const RECAPTURES: Record<string, { describe: string; make: (image: RgbImage) => RgbImage }> =
  {
    enlarged: { describe: "resampled to 2× the pixels per micrometre", make: (i) => rescale(i, 2) },
    shrunk: {
      describe: "resampled to 0.75× the pixels per micrometre",
      make: (i) => rescale(i, 0.75),
    },
    eyepiece: {
      describe:
        "through a simulated eyepiece: 2.5× the pixels, round stop touching the frame, 30 % vignetting at the rim, warm white balance (R ×1.12, B ×0.8), blur radius 1.5 px (scale bar cropped first)",
      make: (i) => eyepiece(cropTop(i, Math.floor(i.height * (6 / 7))), EVAL_EYEPIECE),
    },
    colourCast: {
      describe: "colour cast R ×1.1, G ×0.95, B ×0.85",
      make: (i) => colourCast(i, [1.1, 0.95, 0.85]),
    },
  };

export async function measure(dir: string, dataDir: string, samples: Sample[], split: Split) {
  const runtime = await loadRuntime(dir);
  const c = await openFolder(dir, runtime);
  const set = samples.filter((s) => s.split === split);
  const labels = set.map((s) => s.label);
  const judged = set.map((s) => judge(c, s.image));
  const staged = judged.map((j, i) => ({ j, label: labels[i]! })).filter((x) => x.j.staged);
  const stagedPredicted = staged.map((x) => x.j.top);
  const stagedLabels = staged.map((x) => x.label);

  const jitterRandom = mulberry32(1010);
  const jittered = set.map((s) =>
    judge(c, {
      ...s.image,
      data: applyColourShift(
        s.image.data,
        randomShift(jitterRandom, 0.1),
        new Uint8Array(s.image.data.length),
      ),
    }),
  );
  const strongRandom = mulberry32(2020);
  const strong = set.map((s) =>
    judge(c, {
      ...s.image,
      data: applyColourShift(
        s.image.data,
        randomShift(strongRandom, 0.25),
        new Uint8Array(s.image.data.length),
      ),
    }),
  );
  const paints: [number, number, number][] = [
    [0, 0, 0],
    [255, 255, 255],
    [255, 0, 0],
  ];
  let cornerChanges = 0;
  set.forEach((s, i) => {
    const base = answerOf(judged[i]!);
    if (paints.some((rgb) => answerOf(judge(c, paintCorner(s.image, rgb))) !== base))
      cornerChanges++;
  });
  const changed = (others: Judged[]) =>
    round(others.filter((o, i) => answerOf(o) !== answerOf(judged[i]!)).length / set.length);
  const recaptures = Object.fromEntries(
    Object.entries(RECAPTURES).map(([name, r]) => [
      name,
      {
        describe: r.describe,
        ...recaptureSummary(
          set.map((s) => judge(c, r.make(s.image))),
          labels,
        ),
      },
    ]),
  );
  const malignant = labels.filter((l) => l !== BENIGN).length;
  const earlyCalledBenign = judged.filter(
    (j, i) => j.staged && j.top === BENIGN && labels[i] === 1,
  ).length;

  const generated = await generateNonSmears();
  const generatedJudged = await Promise.all(
    generated.map(async (g) => judge(c, await decodeImage(g.bytes))),
  );
  return {
    split,
    images: set.length,
    staged: {
      images: staged.length,
      refusedRate: round(1 - staged.length / set.length),
      ...classificationMetrics(stagedPredicted, stagedLabels),
      leukaemicCalledBenignRate: round(
        malignant
          ? staged.filter((x) => x.j.top === BENIGN && x.label !== BENIGN).length / malignant
          : 0,
      ),
      earlyPreBCalledBenign: earlyCalledBenign,
      reasons: countReasons(judged),
    },
    all: classificationMetrics(
      judged.map((j) => j.top),
      labels,
    ),
    calibration: {
      temperature: runtime.temperature,
      eceBeforeScaling: round(
        expectedCalibrationError(
          staged.map((x) => x.j.raw),
          stagedLabels,
        ),
      ),
      eceAfterScaling: round(
        expectedCalibrationError(
          staged.map((x) => x.j.calibrated),
          stagedLabels,
        ),
      ),
      eceAllImages: round(
        expectedCalibrationError(
          judged.map((j) => j.calibrated),
          labels,
        ),
      ),
      bins: 10,
    },
    robustness: {
      cornerProbeChangeRate: round(cornerChanges / set.length),
      cornerProbe:
        "the scale-bar corner (bottom-right 32 % × 14 % of the image) painted black, white or red; a change is any change of the answer (stage or refusal)",
      colourJitterChangeRate: changed(jittered),
      colourJitter:
        "brightness, contrast and saturation ×(1 ± 0.1), hue ± 10°, uniform per image, seeded",
      strongColourShift: {
        describe: "brightness, contrast and saturation ×(1 ± 0.25), hue ± 25°",
        ...recaptureSummary(strong, labels),
      },
    },
    recaptures,
    ...(await external(c, dataDir)),
    generatedNonSmears: {
      images: generated.length,
      refusedRate: round(generatedJudged.filter((j) => !j.staged).length / generated.length),
      accepted: generated.filter((_, i) => generatedJudged[i]!.staged).map((g) => g.name),
    },
  };
}

/**
 * Other laboratories and real non-smear images, from `../shared/datasets` beside the training
 * data (development data: nothing is fitted to them; they are reported).
 */
async function external(c: LoadedClassifier, dataDir: string) {
  const root = path.dirname(path.resolve(dataDir));
  const otherLabs = path.join(root, "other-labs");
  const notSmears = path.join(root, "not-smears");
  const result: Record<string, unknown> = {};
  if (await exists(otherLabs)) {
    const sources: Record<string, Judged[]> = {};
    const bySubfolder: Record<string, ReturnType<typeof otherLabSummary>> = {};
    for (const source of await subfolders(otherLabs)) {
      sources[source] = [];
      for (const sub of await subfolders(path.join(otherLabs, source))) {
        const judged = await judgeFolder(c, path.join(otherLabs, source, sub));
        sources[source]!.push(...judged);
        bySubfolder[`${source}/${sub}`] = otherLabSummary(judged);
      }
    }
    result.otherLaboratories = {
      note: "normal blood only; staging any of it as leukaemia is the error that matters",
      bySource: Object.fromEntries(
        Object.entries(sources).map(([name, judged]) => [name, otherLabSummary(judged)]),
      ),
      bySubfolder,
      leaveOneSourceOut: leaveOneSourceOut(c.config, sources),
    };
  }
  if (await exists(notSmears)) {
    const byKind: Record<string, { images: number; refusedRate: number; reasons: object }> = {};
    let total = 0;
    let refused = 0;
    for (const kind of await subfolders(notSmears)) {
      const judged = await judgeFolder(c, path.join(notSmears, kind));
      byKind[kind] = {
        images: judged.length,
        refusedRate: round(judged.filter((j) => !j.staged).length / Math.max(1, judged.length)),
        reasons: countReasons(judged),
      };
      total += judged.length;
      refused += judged.filter((j) => !j.staged).length;
    }
    result.realNonSmears = {
      images: total,
      refusedRate: round(refused / Math.max(1, total)),
      byKind,
    };
  }
  return result;
}

function otherLabSummary(judged: Judged[]) {
  const leukaemia = judged.filter((j) => j.staged && j.top !== BENIGN);
  return {
    images: judged.length,
    stagedRate: round(judged.filter((j) => j.staged).length / Math.max(1, judged.length)),
    stagedAsLeukaemiaRate: round(leukaemia.length / Math.max(1, judged.length)),
    stagedAsLeukaemiaWithP90Rate: round(
      leukaemia.filter((j) => Math.max(...j.calibrated) >= 0.9).length / Math.max(1, judged.length),
    ),
    reasons: countReasons(judged),
  };
}

/**
 * Leave one source out: the one limit that could be tuned on other-laboratory data — the
 * feature-distance limit — is tuned on one source (the loosest multiple of the shipped limit
 * that stages at most 2 % of its normal smears as leukaemia) and reported on the other, beside
 * what the shipped limit (fitted on the training hospital's validation blocks only) gives.
 */
function leaveOneSourceOut(config: RuntimeConfig, sources: Record<string, Judged[]>) {
  const shipped = config.ood.maxDistance;
  const leukaemiaRate = (judged: Judged[], limit: number) =>
    judged.filter((j) => j.stagedWithoutLimit && j.distance <= limit && j.top !== BENIGN).length /
    Math.max(1, judged.length);
  const stagedRate = (judged: Judged[], limit: number) =>
    judged.filter((j) => j.stagedWithoutLimit && j.distance <= limit).length /
    Math.max(1, judged.length);
  const multiples = Array.from({ length: 31 }, (_, i) => 0.5 + i * 0.05);
  return Object.keys(sources).map((held) => {
    const tuning = Object.entries(sources)
      .filter(([n]) => n !== held)
      .flatMap(([, j]) => j);
    const fits = multiples.filter((m) => leukaemiaRate(tuning, shipped * m) <= 0.02);
    const multiple = fits.length ? Math.max(...fits) : multiples[0]!;
    const heldOut = sources[held]!;
    return {
      heldOut: held,
      tunedLimitMultiple: round(multiple, 2),
      heldOutStagedAsLeukaemiaRate: round(leukaemiaRate(heldOut, shipped * multiple)),
      heldOutStagedRate: round(stagedRate(heldOut, shipped * multiple)),
      shippedLimitHeldOutStagedAsLeukaemiaRate: round(leukaemiaRate(heldOut, shipped)),
    };
  });
}

const IMAGE = /\.(jpe?g|png|webp|tiff?|bmp)$/i;

async function judgeFolder(c: LoadedClassifier, dir: string): Promise<Judged[]> {
  const out: Judged[] = [];
  for (const entry of (await fs.readdir(dir)).sort()) {
    if (!IMAGE.test(entry)) continue;
    const image = await decodeImage(await fs.readFile(path.join(dir, entry))).catch(() => null);
    if (!image) continue;
    out.push(
      Math.min(image.width, image.height) < 64
        ? {
            staged: false,
            top: 0,
            calibrated: [1, 0, 0, 0],
            raw: [1, 0, 0, 0],
            reasons: ["too_small"],
            distance: Infinity,
            stagedWithoutLimit: false,
          }
        : judge(c, image),
    );
  }
  return out;
}

async function subfolders(dir: string): Promise<string[]> {
  return (await fs.readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

/** What training.json says of a trained model (written by training.ts and ensemble.ts). */
export type TrainingRecord = {
  architecture: {
    inputSize: number;
    widths: number[];
    dropout: number;
    /** An ensemble: this many networks side by side, logits averaged. */
    members?: number;
    /** A weight average: one network whose weights are this many trainings' mean. */
    averagedFrom?: number;
  };
  colour: ColourMode;
  parameters: number;
  weightBytes: number;
  trainingSeconds: number;
  bestEpoch: number;
  learningCurve: object[];
  augmentation: object;
  optimizer: string;
  seed: number;
  initialisedFrom?: string | null;
  /** An ensemble's or a weight average's members (scripts/model/ensemble.ts). */
  members?: {
    from: string;
    seed: number;
    bestEpoch: number;
    trainingSeconds: number;
    initialisedFrom?: string | null;
  }[];
};

export async function buildCard(dir: string, dataDir: string, samples: Sample[]) {
  const training = JSON.parse(
    await fs.readFile(path.join(dir, "training.json"), "utf8"),
  ) as TrainingRecord;
  const runtime = await loadRuntime(dir);
  const rule = runtime.staging ?? DEFAULT_STAGING;
  const test = await measure(dir, dataDir, samples, "test");
  const { widths, inputSize, dropout, members, averagedFrom } = training.architecture;
  const cnn = `CNN: ${widths.length} blocks of conv3×3 (${widths.join("-")} filters) + batch-norm + ReLU + max-pool, conv1×1 (${widths.at(-1)}) + batch-norm + ReLU, global average pooling, dropout ${dropout}, dense ${CLASS_IDS.length}`;
  return {
    version: runtime.version,
    date: new Date().toISOString().slice(0, 10),
    classes: CLASS_IDS,
    outputOrder:
      "logits in the order of `classes`, averaged over the analysed tiles; probabilities = softmax(logits / temperature)",
    architecture: members
      ? `Ensemble of ${members} CNNs trained with different seeds, logits averaged; each ${cnn}`
      : averagedFrom
        ? `${cnn}; every weight the mean of ${averagedFrom} trainings from the same starting weights (a weight average, one network's cost)`
        : cnn,
    inputSize,
    preprocessing:
      "decode → orient (EXIF) → capture normalisation: field of view (round eyepiece stop or dark border excluded), flat field and white balance from the smear's own background, red cells measured and the field resampled so a red cell is 17 model pixels across (the bottom seventh of a rectangular frame, where the training images carry a scale bar, is dropped) → about as many 128 × 128 tiles as the field holds (up to 6), those with the most white-cell nucleus → per-tile, per-channel standardisation → network → mean logits → temperature → smear check and selective staging",
    parameters: training.parameters,
    weightBytes: training.weightBytes,
    weightFormat: "float16 (tfjs weights manifest)",
    trainingData: {
      ...DATASET_CITATION,
      split: {
        method: `blocks of ${DEFAULT_SPLIT.blockSize} consecutive file numbers per class, seeded (${DEFAULT_SPLIT.seed}); exact duplicates follow their original`,
        fractions: DEFAULT_SPLIT.fractions,
        sizes: splitSizes(samples),
      },
    },
    evaluationData: EXTERNAL_CITATIONS,
    training: {
      seed: training.seed,
      initialisedFrom: training.initialisedFrom ?? null,
      optimizer: training.optimizer,
      augmentation: training.augmentation,
      bestEpoch: training.bestEpoch,
      trainingMinutes: round(training.trainingSeconds / 60, 1),
      hardware: "2-core CPU, TensorFlow.js WebAssembly backend, one thread",
      learningCurve: training.learningCurve,
      ...(training.members && {
        members: training.members.map(
          ({ from, seed, bestEpoch, trainingSeconds, initialisedFrom }) => ({
            from,
            seed,
            initialisedFrom: initialisedFrom ?? null,
            bestEpoch,
            trainingMinutes: round(trainingSeconds / 60, 1),
          }),
        ),
      }),
    },
    metrics: test,
    inputVerdict: {
      method: `Refused ("can't assess") when the smear check fails — fewer than 15 red cells of one size, not round, no bright background, or not in Romanowsky colours (not a smear); a red cell under 9 px or too little field at model scale (magnification); no white-cell nucleus (no white cell); focus below the validation limit (out of focus); a dark background (exposure) — or when the pooled features lie farther from the training classes than the validation smears do (outside training), or when the selective-staging rule finds the direction unclear (benign needs p ≥ ${rule.benignMin} overall and ≥ ${rule.benignTileMin} in every tile, cut-offs fitted on the validation smears; leukaemia needs the malignant classes together ≥ ${rule.malignantMin}).`,
      smear: runtime.smear,
      staging: runtime.staging,
      maxFeatureDistance: runtime.ood.maxDistance,
    },
    intendedUse: INTENDED_USE,
    knownLimits: KNOWN_LIMITS,
  };
}

export async function evaluateToCard(dir: string, dataDir: string, samples: Sample[]) {
  const card = await buildCard(dir, dataDir, samples);
  await fs.writeFile(path.join(dir, "model-card.json"), JSON.stringify(card, null, 2) + "\n");
  console.log(JSON.stringify({ event: "card", metrics: card.metrics }));
  return card;
}
