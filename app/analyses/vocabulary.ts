/**
 * The words of analyses: the model's classes (owned by the classifier, named here for the
 * rest of the app), verdicts, confidence levels and age brackets. Isomorphic; the schema
 * imports it.
 */
import { CLASS_IDS, CLASS_LABELS, type ClassId, type Probabilities } from "../classifier/classes";

export { CLASS_IDS, CLASS_LABELS, type ClassId, type Probabilities };

export const VERDICTS = ["ok", "cant_assess"] as const;
export type Verdict = (typeof VERDICTS)[number];

export const CONFIDENCES = ["high", "moderate", "low"] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const CONFIDENCE_LABELS: Record<Confidence, string> = {
  high: "High confidence",
  moderate: "Moderate confidence",
  low: "Low confidence",
};

export const AGE_BRACKETS = ["child", "adult"] as const;
export type AgeBracket = (typeof AGE_BRACKETS)[number];
