import type { Analysis } from "#db/schema";
import { CLASS_LABELS } from "./vocabulary";

export const CANT_ASSESS_ADVICE = [
  "Use a photo of a stained peripheral blood smear taken through the microscope, filling the frame.",
  "Focus sharply on the cells; avoid motion blur.",
  "Use even lighting: not too dark, not washed out.",
  "Send the original photo, not a screenshot or a photo of a screen.",
];

export type Explanation = {
  headline: string;
  nextStep: string;
  malignant: boolean;
};

/** What the result means, in words for a worried patient or parent. */
export function explainAnalysis(analysis: Pick<Analysis, "verdict" | "topClass">): Explanation {
  if (analysis.verdict === "cant_assess") {
    return {
      headline: "We can't assess this image",
      nextStep:
        "The image does not look like a usable blood smear photo, so no staging is shown. Please try again with a better image, or ask your clinic for one.",
      malignant: false,
    };
  }
  if (analysis.topClass === "benign") {
    return {
      headline: CLASS_LABELS.benign,
      nextStep:
        "No leukemic blasts of these types were recognised. This does not rule out disease — discuss the result with your doctor.",
      malignant: false,
    };
  }
  const stage = CLASS_LABELS[analysis.topClass];
  return {
    headline: stage,
    nextStep: `The image resembles ${stage}. Please see a hematologist promptly: only a specialist, with laboratory tests, can confirm or rule this out.`,
    malignant: true,
  };
}
