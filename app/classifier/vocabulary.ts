/**
 * The classifier's words: why an image cannot be assessed, in plain language with advice for a
 * better picture. The classifier core speaks in codes; pages, reports and exports use these.
 */

export const REASON_CODES = [
  "too_small",
  "exposure",
  "not_smear",
  "no_white_cell",
  "out_of_focus",
  "magnification",
  "outside_training",
  "uncertain",
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const REASON_TEXT: Record<ReasonCode, { reason: string; advice: string }> = {
  too_small: {
    reason: "The image is too small to assess (at least 64 × 64 pixels are needed).",
    advice: "Send the original photo, not a thumbnail or a screenshot of it.",
  },
  exposure: {
    reason: "The image is too dark, over-exposed or has almost no detail.",
    advice: "Turn the microscope's light up or down until the background is bright but not white.",
  },
  not_smear: {
    reason:
      "This does not look like a stained peripheral blood smear (many red cells of one size on a bright background).",
    advice:
      "Photograph a Wright- or May-Grünwald-Giemsa stained blood film through the microscope, in its thin part where cells lie side by side.",
  },
  no_white_cell: {
    reason: "No white blood cell is in view, and the staging is judged on white cells.",
    advice: "Move the slide until one or more purple-stained white cells are in the field.",
  },
  out_of_focus: {
    reason: "The image is too blurred to see cell detail.",
    advice:
      "Focus with the fine-focus knob until the red cells' edges are sharp, and hold the phone still.",
  },
  magnification: {
    reason:
      "The magnification is outside what the model knows: too few cells in view, or the cells are too small in the picture.",
    advice:
      "Use the 100× oil objective and photograph the whole field of view (about 8 red cells across or more).",
  },
  outside_training: {
    reason:
      "The stain, microscope or camera differs too much from the smears the model was trained on for it to judge this image.",
    advice:
      "Share the image with a hematologist, who can assess it whatever the stain or microscope.",
  },
  uncertain: {
    reason: "The model cannot tell with enough certainty whether this smear shows leukaemia.",
    advice: "Share the image with a hematologist rather than rely on the model.",
  },
};

/** Words for a stored reason: a code, or (for analyses made before codes) the sentence itself. */
export function reasonText(reason: string): { reason: string; advice?: string } {
  return (REASON_TEXT as Record<string, { reason: string; advice: string }>)[reason] ?? { reason };
}
