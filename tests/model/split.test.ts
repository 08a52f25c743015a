import { DEFAULT_SPLIT, splitRows } from "../../scripts/model/dataset";

type Rows = Parameters<typeof splitRows>[0];

/** A synthetic manifest: `perFolder` numbered files in each class folder. */
function manifest(perFolder: number, duplicates: [string, string][] = []): Rows {
  const rows: Rows = [];
  for (const folder of ["Benign", "Early", "Pre", "Pro"]) {
    for (let n = 1; n <= perFolder; n++) {
      rows.push({
        file: `${folder}/WBC-${folder}-${String(n).padStart(3, "0")}.jpg`,
        folder,
        duplicateOf: "",
      });
    }
  }
  for (const [file, of] of duplicates) {
    const row = rows.find((r) => r.file === file)!;
    row.duplicateOf = of;
  }
  return rows;
}

const blockSides = (result: ReturnType<typeof splitRows>) => {
  const sides = new Map<string, Set<string>>();
  for (const { block, split } of result.values()) {
    sides.set(block, (sides.get(block) ?? new Set()).add(split));
  }
  return sides;
};

describe("the block split", () => {
  test("every file gets a split, and no block of consecutive files is on two sides", () => {
    const rows = manifest(200);
    const result = splitRows(rows, DEFAULT_SPLIT);
    expect(result.size).toBe(rows.length);
    for (const [block, sides] of blockSides(result))
      expect([block, sides.size]).toEqual([block, 1]);
    // Blocks are runs of blockSize consecutive numbers within one class folder.
    expect(result.get("Pre/WBC-Pre-001.jpg")!.block).toBe(result.get("Pre/WBC-Pre-020.jpg")!.block);
    expect(result.get("Pre/WBC-Pre-020.jpg")!.block).not.toBe(
      result.get("Pre/WBC-Pre-021.jpg")!.block,
    );
  });

  test("each class is split close to the configured fractions", () => {
    const result = splitRows(manifest(400), DEFAULT_SPLIT);
    for (const folder of ["Benign", "Early", "Pre", "Pro"]) {
      const mine = [...result].filter(([file]) => file.startsWith(`${folder}/`));
      const share = (split: string) =>
        mine.filter(([, v]) => v.split === split).length / mine.length;
      // Whole blocks of 20 out of 400: within one block of the target.
      expect(Math.abs(share("train") - 0.7)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(share("validation") - 0.15)).toBeLessThanOrEqual(0.05);
      expect(Math.abs(share("test") - 0.15)).toBeLessThanOrEqual(0.05);
    }
  });

  test("an exact duplicate lands in the split of the image it duplicates", () => {
    const pairs: [string, string][] = [];
    for (let n = 1; n <= 200; n += 7) {
      // Duplicates far away from their original, so they start in another block.
      pairs.push([
        `Early/WBC-Early-${String(n).padStart(3, "0")}.jpg`,
        `Early/WBC-Early-${String(201 - n).padStart(3, "0")}.jpg`,
      ]);
    }
    const result = splitRows(manifest(200, pairs), DEFAULT_SPLIT);
    for (const [copy, original] of pairs) {
      expect([copy, result.get(copy)!.split]).toEqual([copy, result.get(original)!.split]);
    }
  });

  test("the same seed gives the same split, another seed another one", () => {
    const rows = manifest(200);
    const a = splitRows(rows, DEFAULT_SPLIT);
    const b = splitRows(rows, DEFAULT_SPLIT);
    const c = splitRows(rows, { ...DEFAULT_SPLIT, seed: DEFAULT_SPLIT.seed + 1 });
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
  });

  test("blocks linked by a duplicate stay together on one side", () => {
    const pairs: [string, string][] = [];
    for (let n = 1; n <= 200; n += 7) {
      pairs.push([
        `Pro/WBC-Pro-${String(n).padStart(3, "0")}.jpg`,
        `Pro/WBC-Pro-${String(201 - n).padStart(3, "0")}.jpg`,
      ]);
    }
    const result = splitRows(manifest(200, pairs), DEFAULT_SPLIT);
    for (const [block, sides] of blockSides(result))
      expect([block, sides.size]).toEqual([block, 1]);
  });
});
