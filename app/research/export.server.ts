/**
 * The research dataset (decision 062): the images whose final answer is one of the model's four
 * staging classes, from analyses whose patient consented and has not withdrawn it, packed as
 * the model lab takes a dataset — class folders (`Benign/`, `Early/`, `Pre/`, `Pro/`) and a
 * root `manifest.csv` — plus a README with the counts. Files get random names and a random
 * order; the manifest holds the class, the model version, the capture measures and the month
 * of the analysis: no name, no id, no finer date. Streamed, one image in memory at a time.
 */
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, researchConsents } from "#db/schema";
import type { CaptureReport } from "~/classifier/classify";
import { auditSuccess } from "~/audit/audit.server";
import { canExportResearch, type Actor } from "~/auth/permissions";
import {
  DOCTOR_CLASS_LABELS,
  FINDINGS_BEYOND_MODEL,
  isStagingClass,
} from "~/consultations/vocabulary";
import { notFound } from "~/errors/domain-error";
import { zipStream, type ZipEntry } from "~/http/zip-stream.server";
import { CLASS_FOLDERS, FOLDER_CLASS, type ClassFolder, type ClassId } from "~/lab/vocabulary";
import { monthOf } from "~/statistics/aggregate";
import { finalAnswers } from "~/statistics/records.server";
import { getImageStore } from "~/uploads/storage.server";
import { EXPORT_FILE_PREFIX, MANIFEST_MEASURES } from "./vocabulary";

const FOLDER_OF: Record<ClassId, ClassFolder> = Object.fromEntries(
  CLASS_FOLDERS.map((f) => [FOLDER_CLASS[f], f]),
) as Record<ClassId, ClassFolder>;

export type ResearchItem = {
  imageKey: string;
  folder: ClassFolder;
  file: string;
  modelVersion: string;
  month: string;
  capture: CaptureReport | null;
};

export type ResearchSummary = {
  /** Images in the export, per class folder. */
  included: Record<ClassFolder, number>;
  /** Consented analyses left out because the final answer is beyond the four classes. */
  excluded: Record<(typeof FINDINGS_BEYOND_MODEL)[number], number>;
  /** Selected images the image store no longer holds (left out, and said so in the README). */
  missing: number;
};

function requireExporter(actor: Actor) {
  if (!canExportResearch(actor)) notFound();
}

/** The consented, finally answered analyses, and what the export takes of them. */
export async function researchSelection(
  actor: Actor,
): Promise<{ items: ResearchItem[]; summary: ResearchSummary }> {
  requireExporter(actor);
  const final = finalAnswers();
  const rows = await getDb()
    .select({
      imageKey: analyses.imageKey,
      doctorClass: final.doctorClass,
      modelVersion: analyses.modelVersion,
      createdAt: analyses.createdAt,
      capture: analyses.capture,
    })
    .from(final)
    .innerJoin(analyses, eq(analyses.id, final.analysisId))
    .innerJoin(researchConsents, eq(researchConsents.analysisId, analyses.id))
    .where(
      and(
        isNull(researchConsents.revokedAt),
        // The consent is the analysis's own patient's.
        eq(researchConsents.patientId, analyses.patientId),
      ),
    );
  const summary: ResearchSummary = {
    included: Object.fromEntries(CLASS_FOLDERS.map((f) => [f, 0])) as ResearchSummary["included"],
    excluded: Object.fromEntries(
      FINDINGS_BEYOND_MODEL.map((c) => [c, 0]),
    ) as ResearchSummary["excluded"],
    missing: 0,
  };
  const items: ResearchItem[] = [];
  for (const row of rows) {
    if (!row.doctorClass) continue;
    if (!isStagingClass(row.doctorClass)) {
      summary.excluded[row.doctorClass as keyof ResearchSummary["excluded"]] += 1;
      continue;
    }
    const folder = FOLDER_OF[row.doctorClass];
    summary.included[folder] += 1;
    items.push({
      imageKey: row.imageKey,
      folder,
      file: `${folder}/${crypto.randomUUID()}.jpg`,
      modelVersion: row.modelVersion,
      month: monthOf(row.createdAt),
      capture: row.capture,
    });
  }
  // A random order: neither the manifest nor the archive follows the analyses' dates.
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = crypto.getRandomValues(new Uint32Array(1))[0]! % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return { items, summary };
}

/** A manifest value without the characters the lab's CSV reader splits on. */
const plain = (value: string) => value.replace(/[,\r\n"]/g, " ").trim();

const measure = (capture: CaptureReport | null, name: (typeof MANIFEST_MEASURES)[number]) => {
  const value = capture?.[name];
  if (value === undefined || value === null) return "";
  return typeof value === "number" ? String(Math.round(value * 1000) / 1000) : plain(value);
};

export function manifestCsv(items: ResearchItem[]): string {
  const header = ["file", "class", "model_version", "month", ...MANIFEST_MEASURES.map(snake)];
  const lines = items.map((item) =>
    [
      item.file,
      item.folder,
      plain(item.modelVersion),
      item.month,
      ...MANIFEST_MEASURES.map((m) => measure(item.capture, m)),
    ].join(","),
  );
  return `${[header.join(","), ...lines].join("\n")}\n`;
}

function snake(name: string) {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function readme(summary: ResearchSummary): string {
  const included = CLASS_FOLDERS.map((f) => `  ${f}/: ${summary.included[f]}`);
  const excluded = FINDINGS_BEYOND_MODEL.map(
    (c) => `  ${DOCTOR_CLASS_LABELS[c]}: ${summary.excluded[c]}`,
  );
  return [
    `HemaLink research dataset, exported ${new Date().toISOString().slice(0, 7)}.`,
    "",
    "Each image is a patient's uploaded smear (re-encoded, without photo metadata) whose label is a",
    "hematologist's final answer; only patients who consented to research use, and did not withdraw",
    "it, are included. manifest.csv lists every image with its class, the model version that",
    "analysed it, its capture measures and the month of the analysis. No names, ids or exact dates.",
    "",
    "Images per class:",
    ...included,
    "Consented analyses left out (the final answer is not one of the four classes):",
    ...excluded,
    ...(summary.missing
      ? [`Images missing from the image store, left out: ${summary.missing}`]
      : []),
    "",
  ].join("\n");
}

/** The export as a zip stream and its file name; the export is audited with its counts. */
export async function exportResearchDataset(actor: Actor) {
  const { items, summary } = await researchSelection(actor);
  const total = items.length;
  await auditSuccess(actor, "research.export", {
    detail: `${total} images; ${CLASS_FOLDERS.map((f) => `${f} ${summary.included[f]}`).join(", ")}`,
  });
  const store = getImageStore();
  // The images first; the manifest and README last, naming only what was written.
  async function* entries(): AsyncGenerator<ZipEntry> {
    const written: ResearchItem[] = [];
    for (const item of items) {
      const bytes = await store.get(item.imageKey, "original");
      if (!bytes) {
        summary.included[item.folder] -= 1;
        summary.missing += 1;
        continue;
      }
      yield { path: item.file, bytes: new Uint8Array(bytes) };
      written.push(item);
    }
    yield { path: "manifest.csv", text: manifestCsv(written) };
    yield { path: "README.txt", text: readme(summary) };
  }
  return {
    stream: zipStream(entries()),
    filename: `${EXPORT_FILE_PREFIX}-${new Date().toISOString().slice(0, 7)}.zip`,
    summary,
  };
}
