import { CLASS_IDS } from "~/analyses/vocabulary";
import { AnswerSchema } from "~/consultations/validation";
import {
  confirmingAnswers,
  confirmsModel,
  DOCTOR_CLASS_LABELS,
  DOCTOR_CLASSES,
} from "~/consultations/vocabulary";

const valid = {
  doctorClass: "other_leukaemia_suspected",
  morphology: "Myeloblasts with Auer rods, some hypogranular neutrophils.",
  recommendations: "Please have a bone marrow examination at a hospital this week.",
  urgency: "soon",
};

const errors = (input: Record<string, unknown>) => {
  const result = AnswerSchema.safeParse(input);
  return result.success
    ? {}
    : Object.fromEntries(result.error.issues.map((i) => [i.path[0], i.message]));
};

describe("the hematologist's answer classes", () => {
  test("the model's four classes come first, then the answers beyond them, each with its own label", () => {
    expect(DOCTOR_CLASSES.slice(0, 4)).toEqual(CLASS_IDS);
    expect(DOCTOR_CLASSES.slice(4)).toEqual([
      "no_leukaemia_seen",
      "other_leukaemia_suspected",
      "reactive_changes",
      "not_assessable",
    ]);
    const labels = DOCTOR_CLASSES.map((c) => DOCTOR_CLASS_LABELS[c]);
    expect(new Set(labels).size).toBe(labels.length);
    expect(DOCTOR_CLASS_LABELS.other_leukaemia_suspected).toBe(
      "Other leukaemia suspected (e.g. AML, CLL)",
    );
  });

  test("no leukaemia seen and reactive changes confirm benign; other leukaemia and not assessable confirm nothing", () => {
    expect(confirmingAnswers("benign")).toEqual([
      "benign",
      "no_leukaemia_seen",
      "reactive_changes",
    ]);
    for (const stage of ["early_pre_b", "pre_b", "pro_b"] as const) {
      expect(confirmingAnswers(stage)).toEqual([stage]);
    }
    for (const model of CLASS_IDS) {
      expect(confirmsModel("other_leukaemia_suspected", model)).toBe(false);
      expect(confirmsModel("not_assessable", model)).toBe(false);
    }
    expect(confirmsModel("reactive_changes", "pre_b")).toBe(false);
  });
});

describe("the answer form's rules", () => {
  test("a complete answer with a new class passes, its texts trimmed", () => {
    const parsed = AnswerSchema.parse({ ...valid, morphology: `  ${valid.morphology}  ` });
    expect(parsed).toEqual(valid);
  });

  test("each text has its own message: missing, too short, too long", () => {
    expect(errors({ ...valid, morphology: undefined })).toEqual({
      morphology: "Describe what you saw in the smear",
    });
    expect(errors({ ...valid, morphology: "   blasts  " })).toEqual({
      morphology: "Describe what you saw in the smear (at least 10 characters)",
    });
    expect(errors({ ...valid, morphology: "x".repeat(4001) })).toEqual({
      morphology: "Keep the morphology comment to at most 4,000 characters",
    });
    expect(errors({ ...valid, morphology: "x".repeat(4000) })).toEqual({});
    expect(errors({ ...valid, recommendations: "" })).toEqual({
      recommendations: "Write your advice to the patient (at least 5 characters)",
    });
    expect(errors({ ...valid, doctorClass: "leukemia" })).toEqual({
      doctorClass: "Choose your assessment",
    });
  });
});
