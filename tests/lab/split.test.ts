import { parseManifest } from "~/lab/archive.server";
import { manifestCsv } from "~/lab/report.server";
import { DEFAULT_SPLIT, splitRows } from "../../scripts/model/dataset";

/** 40 patients, 3–6 images each, numbered so that file blocks would cut across patients. */
function rowsWithPatients() {
  const rows: { file: string; folder: string; duplicateOf: string; patient?: string }[] = [];
  let n = 0;
  for (let p = 1; p <= 40; p++) {
    const folder = ["Benign", "Early", "Pre", "Pro"][p % 4]!;
    for (let i = 0; i < 3 + (p % 4); i++) {
      n += 1;
      rows.push({ file: `${folder}/img_${n}.jpg`, folder, duplicateOf: "", patient: `P${p}` });
    }
  }
  // One patient also has an image filed under another class.
  rows.push({ file: "Pro/img_999.jpg", folder: "Pro", duplicateOf: "", patient: "P1" });
  return rows;
}

describe("the split by patient id", () => {
  test("no patient has images on two sides of the split, and every side gets patients", () => {
    const rows = rowsWithPatients();
    const splits = splitRows(rows, { ...DEFAULT_SPLIT, blockSize: 2 });
    const sidesOf = new Map<string, Set<string>>();
    for (const row of rows) {
      const side = splits.get(row.file)!.split;
      sidesOf.set(row.patient!, (sidesOf.get(row.patient!) ?? new Set()).add(side));
    }
    expect([...sidesOf.values()].filter((sides) => sides.size > 1)).toEqual([]);
    const sides = new Set([...splits.values()].map((s) => s.split));
    expect([...sides].sort()).toEqual(["test", "train", "validation"]);
    // Without the patient column the same files would be split by file-number blocks,
    // which puts some patients on two sides: the test above would fail.
    const byBlocks = splitRows(
      rows.map(({ patient: _, ...row }) => row),
      { ...DEFAULT_SPLIT, blockSize: 2 },
    );
    const mixed = new Set<string>();
    for (const patient of new Set(rows.map((r) => r.patient!))) {
      const of = rows.filter((r) => r.patient === patient).map((r) => byBlocks.get(r.file)!.split);
      if (new Set(of).size > 1) mixed.add(patient);
    }
    expect(mixed.size).toBeGreaterThan(0);
  });

  test("an uploaded manifest's patient column is kept in the stored manifest; a bad id is refused", () => {
    const parsed = parseManifest(
      "file,class,patient\nBenign/a.jpg,Benign,P-01\nPro/b.jpg,pro_b,P-02\n",
    );
    expect(parsed).toEqual([
      { file: "Benign/a.jpg", folder: "Benign", patient: "P-01" },
      { file: "Pro/b.jpg", folder: "Pro", patient: "P-02" },
    ]);
    expect(
      manifestCsv([
        { file: "Benign/a.jpg", folder: "Benign", duplicateOf: "", patient: "P-01" },
        { file: "Pro/b.jpg", folder: "Pro", duplicateOf: "" },
      ]),
    ).toBe("file,exact_duplicate_of,patient\nBenign/a.jpg,,P-01\nPro/b.jpg,,\n");
    expect(() => parseManifest("file,class,patient\nBenign/a.jpg,Benign,P 01;x\n")).toThrow(
      /line 2: the patient id/,
    );
  });
});
