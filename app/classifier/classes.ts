/** The four classes, in the model's output order. Used everywhere a class is named. */
export const CLASS_IDS = ["benign", "early_pre_b", "pre_b", "pro_b"] as const;
export type ClassId = (typeof CLASS_IDS)[number];
export type Probabilities = Record<ClassId, number>;

export const CLASS_LABELS: Record<ClassId, string> = {
  benign: "Benign (hematogones)",
  early_pre_b: "Early pre-B ALL",
  pre_b: "Pre-B ALL",
  pro_b: "Pro-B ALL",
};
