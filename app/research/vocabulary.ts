/**
 * The words of research use: the consent's wording (the upload form and the settings say the
 * same), and what a research export holds. Isomorphic.
 */
export const RESEARCH_CONSENT_TEXT =
  "Allow my de-identified image and its hematologist-confirmed label to be used for research";

export const RESEARCH_CONSENT_HINT =
  "Off unless you turn it on. Only the image (without its photo data) and the hematologist's class go into research datasets — never your name, your account or a date finer than the month. You can withdraw it at any time in Your data.";

/** The capture measures a research manifest carries, in column order. */
export const MANIFEST_MEASURES = [
  "redCellDiameter",
  "redCellSpread",
  "redCells",
  "whiteCells",
  "scale",
  "focus",
  "field",
] as const;

export const EXPORT_FILE_PREFIX = "hemalink-research";
