/**
 * The validation report of an unpacked dataset, made before anyone accepts it: what each class
 * holds, what could not be used and why, exact and near duplicates (and whether the block split
 * would put the two copies on different sides), image sizes, the red-cell measure of the capture
 * normalisation (the dataset's magnification), the smear check's verdicts and class imbalance.
 * One image at a time, yielding between images, so a large dataset does not hold the server.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { MIN_SIDE, normaliseCapture } from "~/classifier/capture";
import { DEFAULT_SMEAR_CHECK, smearReasons } from "~/classifier/classify";
import { decodeImage } from "~/classifier/decode.server";
import type { ReasonCode } from "~/classifier/vocabulary";
import { sniffImageType } from "~/uploads/image.server";
import { DEFAULT_SPLIT, splitRows } from "../../scripts/model/dataset";
import type { Plan } from "./archive.server";
import { IMBALANCE_WARNING_RATIO, MIN_IMAGES_PER_CLASS, NEAR_DUPLICATE_BITS } from "./limits";
import type { DatasetReport } from "./report";
import { CLASS_FOLDERS, imageCount, type ClassFolder, type SkipReason } from "./vocabulary";

export type { DatasetReport };

/** Manifest rows of the stored dataset (`file,exact_duplicate_of`), as the training script reads them. */
export type StoredRow = {
  file: string;
  folder: ClassFolder;
  duplicateOf: string;
  patient?: string;
};

type Measured = {
  file: string;
  folder: ClassFolder;
  sha256: string;
  hash: bigint;
  width: number;
  height: number;
  diameter: number;
  reasons: ReasonCode[];
  patient?: string;
};

/** A 64-bit difference hash: brighter-than-its-right-neighbour bits of an 9 × 8 grey copy. */
export async function differenceHash(bytes: Uint8Array): Promise<bigint> {
  const grey = await sharp(bytes).greyscale().resize(9, 8, { fit: "fill" }).raw().toBuffer();
  let hash = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      hash = (hash << 1n) | (grey[y * 9 + x]! > grey[y * 9 + x + 1]! ? 1n : 0n);
    }
  }
  return hash;
}

export function differingBits(a: bigint, b: bigint): number {
  let x = a ^ b;
  let bits = 0;
  while (x) {
    bits += Number(x & 1n);
    x >>= 1n;
  }
  return bits;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const round = (v: number) => Math.round(v * 100) / 100;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

async function measureFile(
  dir: string,
  folder: ClassFolder,
  name: string,
): Promise<Measured | SkipReason> {
  const file = `${folder}/${name}`;
  const bytes = await fsp.readFile(path.join(dir, folder, name));
  if (!sniffImageType(bytes)) return "not_image";
  let image;
  try {
    image = await decodeImage(bytes);
  } catch {
    return "unreadable";
  }
  if (Math.min(image.width, image.height) < MIN_SIDE) return "too_small";
  const { measures } = normaliseCapture(image);
  return {
    file,
    folder,
    sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
    hash: await differenceHash(bytes),
    width: image.width,
    height: image.height,
    diameter: measures.redCellDiameter,
    reasons: smearReasons(measures, DEFAULT_SMEAR_CHECK),
  };
}

/**
 * Measure every planned file in `dir` (already unpacked there), delete the ones that cannot be
 * used, and return the report with the rows of the dataset's manifest.
 */
export async function buildReport(
  dir: string,
  plan: Plan,
): Promise<{ report: DatasetReport; rows: StoredRow[] }> {
  const measured: Measured[] = [];
  const skipped: DatasetReport["skipped"] = plan.badNames.map((file) => ({
    file,
    reason: "bad_name" as const,
  }));
  for (const planned of plan.files) {
    const result = await measureFile(dir, planned.folder, planned.name);
    if (typeof result !== "string" && planned.patient) result.patient = planned.patient;
    if (typeof result === "string") {
      skipped.push({ file: `${planned.folder}/${planned.name}`, reason: result });
      await fsp.rm(path.join(dir, planned.folder, planned.name), { force: true });
    } else {
      measured.push(result);
    }
    await yieldToRequests();
  }

  const firstOf = new Map<string, string>();
  const rows: StoredRow[] = measured.map((m) => {
    const original = firstOf.get(m.sha256);
    if (!original) firstOf.set(m.sha256, m.file);
    return {
      file: m.file,
      folder: m.folder,
      duplicateOf: original ?? "",
      ...(m.patient ? { patient: m.patient } : {}),
    };
  });
  const splits = splitRows(rows, DEFAULT_SPLIT);
  const splitOf = (file: string) => splits.get(file)!.split;

  const exactDuplicates = rows
    .filter((r) => r.duplicateOf)
    .map((r) => ({
      file: r.file,
      duplicateOf: r.duplicateOf,
      acrossSplits: splitOf(r.file) !== splitOf(r.duplicateOf),
    }));
  const nearDuplicates: DatasetReport["nearDuplicates"] = [];
  for (let i = 0; i < measured.length; i++) {
    for (let j = i + 1; j < measured.length; j++) {
      const a = measured[i]!;
      const b = measured[j]!;
      if (a.sha256 === b.sha256) continue;
      const bits = differingBits(a.hash, b.hash);
      if (bits <= NEAR_DUPLICATE_BITS) {
        nearDuplicates.push({
          file: b.file,
          similarTo: a.file,
          differingBits: bits,
          acrossSplits: splitOf(a.file) !== splitOf(b.file),
        });
      }
    }
  }

  const perClass = Object.fromEntries(
    CLASS_FOLDERS.map((f) => [f, measured.filter((m) => m.folder === f).length]),
  ) as Record<ClassFolder, number>;
  const split = Object.fromEntries(
    (["train", "validation", "test"] as const).map((s) => [
      s,
      Object.fromEntries(
        CLASS_FOLDERS.map((f) => [
          f,
          measured.filter((m) => m.folder === f && splitOf(m.file) === s).length,
        ]),
      ),
    ]),
  ) as DatasetReport["split"];

  const sizeCounts = new Map<string, number>();
  for (const m of measured) {
    const key = `${m.width}×${m.height}`;
    sizeCounts.set(key, (sizeCounts.get(key) ?? 0) + 1);
  }
  const sides = measured.flatMap((m) => [m.width, m.height]);
  const diameters = measured
    .map((m) => m.diameter)
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  const reasons: Partial<Record<ReasonCode, number>> = {};
  for (const m of measured) for (const r of m.reasons) reasons[r] = (reasons[r] ?? 0) + 1;

  const present = CLASS_FOLDERS.map((f) => perClass[f]).filter((n) => n > 0);
  const imbalanceRatio =
    present.length > 0 ? round(Math.max(...present) / Math.min(...present)) : null;
  const warnings: string[] = [];
  for (const f of CLASS_FOLDERS) {
    if (perClass[f] < MIN_IMAGES_PER_CLASS) {
      warnings.push(
        perClass[f] === 0
          ? `${f}/ has no images: a model trained on this dataset cannot learn that class.`
          : `${f}/ has only ${imageCount(perClass[f])}: too few to learn or to measure that class.`,
      );
    }
  }
  if (imbalanceRatio && imbalanceRatio > IMBALANCE_WARNING_RATIO) {
    warnings.push(
      `The largest class has ${imbalanceRatio} times as many images as the smallest; training samples classes equally, but the smallest is seen many times over.`,
    );
  }
  const straddling =
    exactDuplicates.filter((d) => d.acrossSplits).length +
    nearDuplicates.filter((d) => d.acrossSplits).length;
  if (straddling > 0) {
    warnings.push(
      `${straddling} near-duplicate pairs fall on two sides of the block split: test figures would be optimistic (exact copies are kept on one side).`,
    );
  }
  const refused = measured.length - measured.filter((m) => m.reasons.length === 0).length;
  if (measured.length > 0 && refused / measured.length > 0.2) {
    warnings.push(
      `The smear check refuses ${refused} of ${imageCount(measured.length)}: the capture (magnification, stain, focus) differs from what the model knows.`,
    );
  }

  return {
    rows,
    report: {
      layout: plan.layout,
      images: measured.length,
      perClass,
      skipped,
      ignored: plan.ignored,
      exactDuplicates,
      nearDuplicates,
      sizes: {
        minSide: sides.length ? Math.min(...sides) : 0,
        maxSide: sides.length ? Math.max(...sides) : 0,
        common: [...sizeCounts.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([size, images]) => ({ size, images })),
      },
      redCellDiameter: diameters.length
        ? {
            measured: diameters.length,
            median: round(quantile(diameters, 0.5)),
            p10: round(quantile(diameters, 0.1)),
            p90: round(quantile(diameters, 0.9)),
          }
        : null,
      smearCheck: { passed: measured.length - refused, reasons },
      split,
      imbalanceRatio,
      warnings,
    },
  };
}

/** The stored dataset's manifest, in the columns `scripts/model/dataset.ts` reads. */
export function manifestCsv(rows: StoredRow[]): string {
  const patients = rows.some((r) => r.patient);
  const header = patients ? "file,exact_duplicate_of,patient" : "file,exact_duplicate_of";
  const line = (r: StoredRow) =>
    patients ? `${r.file},${r.duplicateOf},${r.patient ?? ""}` : `${r.file},${r.duplicateOf}`;
  return [header, ...rows.map(line)].join("\n") + "\n";
}
