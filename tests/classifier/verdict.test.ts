import type { CaptureMeasures } from "~/classifier/capture";
import {
  DEFAULT_SMEAR_CHECK,
  DEFAULT_STAGING,
  smearReasons,
  stagingAllowed,
} from "~/classifier/classify";
import { reasonText, REASON_CODES, REASON_TEXT } from "~/classifier/vocabulary";

const smear: CaptureMeasures = {
  redCellDiameter: 19,
  redCellSpread: 0.3,
  redCells: 60,
  whiteCells: 2,
  backgroundFraction: 0.5,
  stainedFraction: 0.95,
  roundFraction: 0.95,
  field: "full",
  scale: 0.9,
  focus: 0.25,
  tiles: 2,
  fieldWidth: 200,
  fieldHeight: 170,
  coverage: 1,
  backgroundLuma: 225,
};
const reasons = (change: Partial<CaptureMeasures>) =>
  smearReasons({ ...smear, ...change }, DEFAULT_SMEAR_CHECK);

describe("the smear check", () => {
  test("a field of many equal, round, stained red cells on a bright background with a white cell passes", () => {
    expect(reasons({})).toEqual([]);
  });

  test("each property of a smear that is missing names its reason", () => {
    expect(reasons({ redCells: 4 })).toEqual(["not_smear"]);
    expect(reasons({ redCellSpread: 1.6 })).toEqual(["not_smear"]);
    expect(reasons({ roundFraction: 0.3 })).toEqual(["not_smear"]);
    expect(reasons({ backgroundFraction: 0.05 })).toEqual(["not_smear"]);
    expect(reasons({ stainedFraction: 0.2 })).toEqual(["not_smear"]);
    expect(reasons({ coverage: 0.4 })).toEqual(["magnification"]);
    expect(reasons({ redCellDiameter: 6 })).toEqual(["magnification"]);
    expect(reasons({ whiteCells: 0 })).toEqual(["no_white_cell"]);
    expect(reasons({ focus: 0.01 })).toEqual(["out_of_focus"]);
    expect(reasons({ backgroundLuma: 20 })).toEqual(["exposure"]);
  });

  test("an image that is not a smear gets that reason alone, not advice about focus or white cells", () => {
    expect(reasons({ redCells: 2, whiteCells: 0, focus: 0.01 })).toEqual(["not_smear"]);
  });
});

describe("selective staging", () => {
  const rule = DEFAULT_STAGING;
  test("benign needs a high probability overall and in every tile", () => {
    expect(stagingAllowed([0.97, 0.95], 0.96, rule)).toBe(true);
    expect(stagingAllowed([0.97, 0.4], 0.92, rule)).toBe(false);
    expect(stagingAllowed([0.85, 0.85], 0.85, rule)).toBe(false);
  });

  test("a leukaemia stage needs the malignant classes together clearly ahead", () => {
    expect(stagingAllowed([0.05], 0.05, rule)).toBe(true);
    expect(stagingAllowed([0.35], 0.35, rule)).toBe(false);
  });
});

describe("reason words", () => {
  test("every code has a sentence and advice; older analyses' sentences are shown as they are", () => {
    for (const code of REASON_CODES) {
      expect(REASON_TEXT[code].reason.length).toBeGreaterThan(20);
      expect(REASON_TEXT[code].advice.length).toBeGreaterThan(20);
      expect(reasonText(code)).toEqual(REASON_TEXT[code]);
    }
    expect(reasonText("The image is too dark.")).toEqual({ reason: "The image is too dark." });
  });
});
