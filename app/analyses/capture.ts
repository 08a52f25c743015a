/**
 * What the capture normalisation measured, in words: shown on the result page, the doctor's
 * case view and the report, and exported as FHIR Observation components.
 */
import type { Analysis } from "#db/schema";
import type { CaptureReport } from "~/classifier/classify";
import { reasonText } from "~/classifier/vocabulary";

export type CaptureRow = {
  key: string;
  label: string;
  value: string;
  number?: number;
  unit?: string;
};

const FIELD_WORDS = {
  full: "whole frame",
  circle: "round eyepiece field (outside excluded)",
  box: "inside a dark border (border excluded)",
} as const;

export function captureRows(capture: CaptureReport | null | undefined): CaptureRow[] {
  if (!capture) return [];
  const rows: CaptureRow[] = [
    { key: "field", label: "Field of view", value: FIELD_WORDS[capture.field] },
    {
      key: "red-cell-diameter",
      label: "Red-cell size",
      value: capture.redCellDiameter
        ? `${capture.redCellDiameter.toFixed(1)} px across in the photo`
        : "no red cells measured",
      number: capture.redCellDiameter,
      unit: "px",
    },
    {
      key: "red-cells",
      label: "Red cells counted (approximate)",
      value: String(capture.redCells),
      number: capture.redCells,
    },
    {
      key: "white-cells",
      label: "White-cell nuclei counted (approximate)",
      value: String(capture.whiteCells),
      number: capture.whiteCells,
    },
    {
      key: "scale",
      label: "Scale applied",
      value: `× ${capture.scale.toFixed(2)} (so a red cell has the training smears' size)`,
      number: capture.scale,
    },
    {
      key: "focus",
      label: "Focus",
      value: capture.focus.toFixed(2),
      number: capture.focus,
    },
    {
      key: "tiles",
      label: "Areas analysed",
      value: String(capture.tiles),
      number: capture.tiles,
    },
  ];
  return rows;
}

/** The reasons of a refusal as sentences, each with its advice when it has one. */
export function refusalReasons(reasons: string[]) {
  return reasons.map(reasonText);
}

/** The model's result as the result, report and case pages show it (no storage details). */
export function resultView(
  analysis: Pick<
    Analysis,
    "verdict" | "reasons" | "capture" | "topClass" | "probabilities" | "confidence" | "modelVersion"
  > & { createdAt: Date },
) {
  return {
    verdict: analysis.verdict,
    reasons: analysis.reasons,
    capture: analysis.capture,
    topClass: analysis.topClass,
    probabilities: analysis.probabilities,
    confidence: analysis.confidence,
    modelVersion: analysis.modelVersion,
    createdAt: analysis.createdAt.toISOString(),
  };
}
