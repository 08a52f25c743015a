/** The smear dataset: manifest, decoding to model pixels, and the block split. */
import fs from "node:fs/promises";
import path from "node:path";
import { CLASS_IDS, type ClassId } from "~/classifier/classes";
import { measureCells, findField, fitBackground, normaliseCapture } from "~/classifier/capture";
import { decodeImage } from "~/classifier/decode.server";
import type { RgbImage } from "~/classifier/pixels";
import { FOLDER_CLASS as LAB_FOLDER_CLASS } from "~/lab/vocabulary";
import { mulberry32, shuffle } from "./random";

export type Split = "train" | "validation" | "test";
export const SPLITS: Split[] = ["train", "validation", "test"];

const FOLDER_CLASS: Record<string, ClassId> = LAB_FOLDER_CLASS;

export type Sample = {
  file: string;
  label: number;
  block: string;
  split: Split;
  /** The decoded image as stored (224 × 224 for this dataset). */
  image: RgbImage;
  /** Red-cell diameter used to normalise it (measured, kept within the dataset's range). */
  diameter: number;
  /** The model's view: the most nucleus-rich tile of the normalised capture. */
  pixels: Uint8Array;
};

/**
 * Images are normalised at their measured red-cell diameter, as at inference, so the model
 * learns from the same (sometimes imperfect) measurements it will get; only a failed measure
 * (no cells found, or wildly off) falls back to the dataset's median.
 */
export const DIAMETER_RANGE = [0.4, 2.5] as const;

export function measuredDiameter(image: RgbImage): number {
  const field = findField(image);
  return measureCells(image, field, fitBackground(image, field)).redCellDiameter;
}

export function keepInRange(diameters: number[]): number[] {
  const sorted = diameters.filter((d) => d > 0).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return diameters.map((d) =>
    d >= median * DIAMETER_RANGE[0] && d <= median * DIAMETER_RANGE[1] ? d : median,
  );
}

/** The model tile of an image normalised at a known red-cell diameter. */
export function canonicalTile(image: RgbImage, diameter: number): Uint8Array {
  return normaliseCapture(image, { redCellDiameter: diameter }).tiles[0]!.pixels;
}

export type SplitMethod = {
  blockSize: number;
  fractions: Record<Split, number>;
  seed: number;
};

export const DEFAULT_SPLIT: SplitMethod = {
  blockSize: 20,
  fractions: { train: 0.7, validation: 0.15, test: 0.15 },
  seed: 20261124,
};

/** `patient`: the patient the image comes from, when the manifest has a `patient` column. */
type ManifestRow = { file: string; folder: string; duplicateOf: string; patient?: string };

export async function readManifest(dir: string): Promise<ManifestRow[]> {
  return parseManifest(await fs.readFile(path.join(dir, "manifest.csv"), "utf8"));
}

/** The rows of a dataset's `manifest.csv` (the lab reads it from its store). */
export function parseManifest(text: string): ManifestRow[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const cols = header!.split(",");
  const fileCol = cols.indexOf("file");
  const dupCol = cols.indexOf("exact_duplicate_of");
  const patientCol = cols.indexOf("patient");
  return lines.map((line) => {
    const cells = line.split(",");
    const file = cells[fileCol]!;
    const patient = patientCol < 0 ? "" : (cells[patientCol] ?? "").trim();
    return {
      file,
      folder: file.split("/")[0]!,
      duplicateOf: cells[dupCol] ?? "",
      ...(patient ? { patient } : {}),
    };
  });
}

/**
 * Assign whole blocks of consecutive file numbers (same smear or patient) to one split,
 * per class, seeded. Blocks linked by an exact duplicate (a pair that straddles two blocks)
 * form one group and go to one side together, so no smear is on two sides of the split.
 * When a row names its patient, the patient is its block (across class folders too), so no
 * patient is on two sides of the split.
 */
export function splitRows(
  rows: ManifestRow[],
  method: SplitMethod,
): Map<string, { split: Split; block: string }> {
  const random = mulberry32(method.seed);
  const blockOf = new Map<string, string>();
  for (const row of rows) {
    const number = Number(/(\d+)\.\w+$/.exec(row.file)?.[1] ?? 0);
    blockOf.set(
      row.file,
      row.patient
        ? `patient:${row.patient}`
        : `${row.folder}:${Math.floor((number - 1) / method.blockSize)}`,
    );
  }
  // Union-find over blocks: a duplicate joins its block with its original's.
  const parent = new Map<string, string>();
  const root = (block: string): string => {
    let r = block;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    parent.set(block, r);
    return r;
  };
  for (const row of rows) {
    const other = row.duplicateOf && blockOf.get(row.duplicateOf);
    if (!other) continue;
    const [a, b] = [root(blockOf.get(row.file)!), root(other)].sort();
    if (a !== b) parent.set(b!, a!);
  }
  const result = new Map<string, { split: Split; block: string }>();
  const groupSplit = new Map<string, Split>();
  const byFolder = new Map<string, ManifestRow[]>();
  for (const row of rows) byFolder.set(row.folder, [...(byFolder.get(row.folder) ?? []), row]);
  for (const folder of [...byFolder.keys()].sort()) {
    const blocks = new Map<string, ManifestRow[]>();
    for (const row of byFolder.get(folder)!) {
      const block = blockOf.get(row.file)!;
      blocks.set(block, [...(blocks.get(block) ?? []), row]);
    }
    const order = shuffle([...blocks.keys()].sort(), random);
    const total = byFolder.get(folder)!.length;
    let seen = 0;
    for (const block of order) {
      const members = blocks.get(block)!;
      const position = seen / total;
      const split: Split =
        groupSplit.get(root(block)) ??
        (position < method.fractions.train
          ? "train"
          : position < method.fractions.train + method.fractions.validation
            ? "validation"
            : "test");
      groupSplit.set(root(block), split);
      for (const row of members) result.set(row.file, { split, block });
      seen += members.length;
    }
  }
  return result;
}

export async function loadDataset(dir: string, method = DEFAULT_SPLIT): Promise<Sample[]> {
  const rows = (await readManifest(dir)).filter((row) => row.folder in FOLDER_CLASS);
  const splits = splitRows(rows, method);
  const images: RgbImage[] = [];
  for (const row of rows)
    images.push(await decodeImage(await fs.readFile(path.join(dir, row.file))));
  const diameters = keepInRange(images.map(measuredDiameter));
  return rows.map((row, i) => {
    const { split, block } = splits.get(row.file)!;
    return {
      file: row.file,
      label: CLASS_IDS.indexOf(FOLDER_CLASS[row.folder]!),
      block,
      split,
      image: images[i]!,
      diameter: diameters[i]!,
      pixels: canonicalTile(images[i]!, diameters[i]!),
    };
  });
}

export function splitSizes(samples: Sample[]) {
  return Object.fromEntries(
    SPLITS.map((split) => {
      const members = samples.filter((s) => s.split === split);
      return [
        split,
        {
          images: members.length,
          blocks: new Set(members.map((s) => s.block)).size,
          perClass: Object.fromEntries(
            CLASS_IDS.map((id, i) => [id, members.filter((s) => s.label === i).length]),
          ),
        },
      ];
    }),
  );
}
