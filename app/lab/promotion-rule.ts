/**
 * The promotion rule (docs/decisions/059): what a candidate must show, measured beside the
 * model in use on the same test images, before it may replace it. Isomorphic: the lab page
 * lists the same checks the server enforces.
 */

import type { ClassId } from "./vocabulary";

/** The figures of `measure()` (scripts/model/evaluate.ts) the rule and the comparison read. */
export type MeasuredFigures = {
  images: number;
  staged: {
    images: number;
    refusedRate: number;
    accuracy: number;
    leukaemicCalledBenignRate: number;
    earlyPreBCalledBenign: number;
    perClass: Partial<Record<string, { recall: number; support: number }>>;
    confusionMatrix: { order: readonly ClassId[]; values: number[][] };
  };
  all: { accuracy: number };
  calibration: { eceAfterScaling: number };
  recaptures: Record<string, { describe?: string; leukaemicCalledBenignRate: number }>;
  otherLaboratories?: { bySource: Record<string, { stagedAsLeukaemiaRate: number }> };
};

/** How far a candidate may fall behind the model in use where a small loss is acceptable. */
export const RULE_LIMITS = {
  /** Accuracy of the staged test images, in absolute points. */
  stagedAccuracyLoss: 0.02,
  /** Share of test images staged (so a candidate cannot pass by refusing everything). */
  stagedShareLoss: 0.1,
  /** Normal smears of another laboratory staged as leukaemia. */
  otherLabLeukaemiaGain: 0.02,
  /** Calibration error after temperature scaling, on the staged test images (absolute). */
  maxEce: 0.1,
} as const;

export type RuleCheck = {
  id: string;
  label: string;
  candidate: number;
  current: number | null;
  passed: boolean;
};

const RECAPTURE_WORDS: Record<string, string> = {
  enlarged: "enlarged 2×",
  shrunk: "shrunk to 0.75×",
  eyepiece: "through an eyepiece",
  colourCast: "colour-cast",
};

/** Every check of the rule, passed or not (an empty test split fails the first). */
export function promotionChecks(candidate: MeasuredFigures, current: MeasuredFigures): RuleCheck[] {
  const staged = (m: MeasuredFigures) => (m.images ? m.staged.images / m.images : 0);
  const checks: RuleCheck[] = [
    {
      id: "same-images",
      label: "Both models measured on the same test images (at least one)",
      candidate: candidate.images,
      current: current.images,
      passed: candidate.images > 0 && candidate.images === current.images,
    },
    {
      id: "leukaemic-called-benign",
      label: "Leukaemic test smears called benign: no more than the model in use",
      candidate: candidate.staged.leukaemicCalledBenignRate,
      current: current.staged.leukaemicCalledBenignRate,
      passed:
        candidate.staged.leukaemicCalledBenignRate <= current.staged.leukaemicCalledBenignRate,
    },
    {
      id: "early-called-benign",
      label: "Early pre-B smears called benign: no more than the model in use",
      candidate: candidate.staged.earlyPreBCalledBenign,
      current: current.staged.earlyPreBCalledBenign,
      passed: candidate.staged.earlyPreBCalledBenign <= current.staged.earlyPreBCalledBenign,
    },
  ];
  for (const [name, recapture] of Object.entries(candidate.recaptures)) {
    const theirs = current.recaptures[name];
    if (!theirs) continue;
    checks.push({
      id: `recapture-${name}`,
      label: `Re-captured ${RECAPTURE_WORDS[name] ?? name}: leukaemic smears called benign no more than the model in use`,
      candidate: recapture.leukaemicCalledBenignRate,
      current: theirs.leukaemicCalledBenignRate,
      passed: recapture.leukaemicCalledBenignRate <= theirs.leukaemicCalledBenignRate,
    });
  }
  checks.push(
    {
      id: "staged-accuracy",
      label: `Accuracy of the staged test images: at most ${RULE_LIMITS.stagedAccuracyLoss * 100} points below the model in use`,
      candidate: candidate.staged.accuracy,
      current: current.staged.accuracy,
      passed: candidate.staged.accuracy >= current.staged.accuracy - RULE_LIMITS.stagedAccuracyLoss,
    },
    {
      id: "staged-share",
      label: `Share of test images staged: at most ${RULE_LIMITS.stagedShareLoss * 100} points below the model in use`,
      candidate: round(staged(candidate)),
      current: round(staged(current)),
      passed: staged(candidate) >= staged(current) - RULE_LIMITS.stagedShareLoss,
    },
    {
      id: "calibration",
      label: `Calibration error (ECE) of the staged test images at most ${RULE_LIMITS.maxEce}`,
      candidate: candidate.calibration.eceAfterScaling,
      current: null,
      passed: candidate.calibration.eceAfterScaling <= RULE_LIMITS.maxEce,
    },
  );
  const theirLabs = current.otherLaboratories?.bySource ?? {};
  for (const [source, ours] of Object.entries(candidate.otherLaboratories?.bySource ?? {})) {
    const theirs = theirLabs[source];
    if (!theirs) continue;
    checks.push({
      id: `other-lab-${source}`,
      label: `Normal smears of ${source} staged as leukaemia: at most ${RULE_LIMITS.otherLabLeukaemiaGain * 100} points above the model in use`,
      candidate: ours.stagedAsLeukaemiaRate,
      current: theirs.stagedAsLeukaemiaRate,
      passed:
        ours.stagedAsLeukaemiaRate <=
        theirs.stagedAsLeukaemiaRate + RULE_LIMITS.otherLabLeukaemiaGain,
    });
  }
  return checks;
}

export const passesRule = (checks: RuleCheck[]) => checks.every((c) => c.passed);

const round = (v: number) => Math.round(v * 10000) / 10000;
