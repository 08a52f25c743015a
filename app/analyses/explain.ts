import type { Analysis } from "#db/schema";
import { CLASS_LABELS } from "./vocabulary";

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
        "No staging is shown: the model only stages images it can stand behind. This is not a normal result. Try a better photo (the capture guide shows how), or share the image with a hematologist.",
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
