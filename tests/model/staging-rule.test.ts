import { BENIGN_GRID, fitStagingRule } from "../../scripts/model/calibrate";

describe("fitting the benign cut-offs on validation smears", () => {
  test("the least strict cut-offs under which no leukaemic smear is staged benign", () => {
    // Two benign smears, and a leukaemic one the model calls benign with P = 0.96, every tile ≥ 0.7.
    const rule = fitStagingRule([0.99, 0.97, 0.96], [[0.99], [0.95, 0.9], [0.97, 0.7]], [0, 0, 1]);
    expect(rule).toEqual({ benignMin: 0.9, benignTileMin: 0.8, malignantMin: 0.7 });
  });

  test("a leukaemic smear called benign with near certainty: the strictest cut-offs", () => {
    const rule = fitStagingRule([0.9995], [[0.9995]], [2]);
    const strictest = BENIGN_GRID[BENIGN_GRID.length - 1]!;
    expect([rule.benignMin, rule.benignTileMin]).toEqual(strictest);
  });

  test("no leukaemic smear leaning benign: the default cut-offs stay", () => {
    expect(fitStagingRule([0.99, 0.1], [[0.99], [0.1]], [0, 3])).toMatchObject({
      benignMin: 0.9,
      benignTileMin: 0.6,
    });
  });
});
