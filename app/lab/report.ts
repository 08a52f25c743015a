/** The validation report's shape, shared by the server that makes it and the page that shows it. */
import type { ReasonCode } from "../classifier/vocabulary";
import type { Split } from "../../scripts/model/dataset";
import type { ClassFolder, SkipReason } from "./vocabulary";

export type DatasetReport = {
  layout: "folders" | "manifest";
  images: number;
  perClass: Record<ClassFolder, number>;
  /** Files left out of the dataset, with the reason. */
  skipped: { file: string; reason: SkipReason }[];
  /** Entries that are not data (operating-system debris, notes, files no manifest row names). */
  ignored: string[];
  exactDuplicates: { file: string; duplicateOf: string; acrossSplits: boolean }[];
  nearDuplicates: {
    file: string;
    similarTo: string;
    differingBits: number;
    acrossSplits: boolean;
  }[];
  sizes: { minSide: number; maxSide: number; common: { size: string; images: number }[] };
  /** The red-cell diameter the capture normalisation measured, in image pixels. */
  redCellDiameter: { measured: number; median: number; p10: number; p90: number } | null;
  /** How the smear check judges the images (as at analysis time, with its default limits). */
  smearCheck: { passed: number; reasons: Partial<Record<ReasonCode, number>> };
  split: Record<Split, Record<ClassFolder, number>>;
  imbalanceRatio: number | null;
  warnings: string[];
};
