/**
 * The words of the model lab: a dataset's class folders, its statuses, and the names of the
 * validation report's findings. Isomorphic; the schema and the training scripts import it.
 */
import { CLASS_IDS, CLASS_LABELS, type ClassId } from "../classifier/classes";
import { labelledValues } from "../vocabulary/labelled";
import { MB } from "./limits";

export { CLASS_IDS, CLASS_LABELS, type ClassId };

/** A labelled dataset's class folders (the layout of the project's training data). */
export const CLASS_FOLDERS = ["Benign", "Early", "Pre", "Pro"] as const;
export type ClassFolder = (typeof CLASS_FOLDERS)[number];

export const FOLDER_CLASS: Record<ClassFolder, ClassId> = {
  Benign: "benign",
  Early: "early_pre_b",
  Pre: "pre_b",
  Pro: "pro_b",
};

/** "1 image", "40 images": how the lab counts a dataset's images. */
export const imageCount = (n: number) =>
  `${n.toLocaleString("en")} ${n === 1 ? "image" : "images"}`;

/** A dataset's size: kilobytes under a megabyte ("340 KB"), else megabytes to a tenth ("2.4 MB"). */
export const byteSize = (bytes: number) =>
  bytes < MB
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(Math.round((bytes / MB) * 10) / 10).toLocaleString("en")} MB`;

/** A 10–90 % range says something from this many measured images on. */
export const MIN_IMAGES_FOR_RANGE = 5;

/** A class folder as the report names it: `Benign/ — Benign (hematogones)`. */
export const classFolderLabel = (folder: ClassFolder) =>
  `${folder}/ — ${CLASS_LABELS[FOLDER_CLASS[folder]]}`;

export const isClassFolder = (name: string): name is ClassFolder =>
  (CLASS_FOLDERS as readonly string[]).includes(name);

/** A class named in a manifest: its folder name or its class id. */
export function folderOfLabel(label: string): ClassFolder | null {
  const trimmed = label.trim();
  if (isClassFolder(trimmed)) return trimmed;
  const folder = CLASS_FOLDERS.find((f) => FOLDER_CLASS[f] === trimmed);
  return folder ?? null;
}

/** `staged`: extracted and reported, waiting for a decision; `accepted`: usable for training. */
export const { values: DATASET_STATUSES, labels: DATASET_STATUS_LABELS } = labelledValues({
  staged: "Waiting for review",
  accepted: "Accepted",
});
export type DatasetStatus = (typeof DATASET_STATUSES)[number];

/** Why a file of an accepted archive was left out of the dataset. */
export const { values: SKIP_REASONS, labels: SKIP_REASON_TEXT } = labelledValues({
  not_image: "not an image (JPEG, PNG, WebP or TIFF by its bytes)",
  unreadable: "an image that cannot be decoded (truncated or corrupt)",
  too_small: "smaller than 64 pixels on a side",
  bad_name: "a file name with characters other than letters, digits, space, . _ -",
});
export type SkipReason = (typeof SKIP_REASONS)[number];

/** A training job: waiting its turn, running in the job process, then one of three ends. */
export const { values: JOB_STATUSES, labels: JOB_STATUS_LABELS } = labelledValues({
  queued: "Waiting to start",
  running: "Training",
  succeeded: "Finished",
  failed: "Failed",
  cancelled: "Cancelled",
});
export type JobStatus = (typeof JOB_STATUSES)[number];

export const isFinished = (status: JobStatus) =>
  !(ACTIVE_JOB_STATUSES as readonly JobStatus[]).includes(status);

/** A job still to run or running: it can be cancelled, and its datasets cannot be deleted. */
export const ACTIVE_JOB_STATUSES = ["queued", "running"] as const satisfies JobStatus[];

/** What a job's event stream carries. */
export const JOB_EVENT_KINDS = ["batch", "epoch", "log", "status"] as const;
export type JobEventKind = (typeof JOB_EVENT_KINDS)[number];

/** At most this many datasets in one training job. */
export const MAX_JOB_DATASETS = 10;

/** The architectures a job may train: the project's, and a narrow one for quick trials. */
export const ARCHITECTURES = {
  project: { label: "The project's CNN (16-32-64-128)", widths: [16, 32, 64, 128] },
  narrow: { label: "Narrow trial CNN (4-8)", widths: [4, 8] },
} as const;
export type ArchitectureName = keyof typeof ARCHITECTURES;
export const ARCHITECTURE_NAMES = Object.keys(ARCHITECTURES) as [
  ArchitectureName,
  ...ArchitectureName[],
];

/**
 * A change of the model in use: a lab candidate promoted, or an earlier version put back.
 * The newest row names the current version for every instance (docs/decisions/059, 060).
 */
export const { values: PROMOTION_KINDS, labels: PROMOTION_KIND_LABELS } = labelledValues({
  promote: "Promoted",
  rollback: "Rolled back to",
});
export type PromotionKind = (typeof PROMOTION_KINDS)[number];

/** Where a version the lab predicts with comes from. */
export const { values: PREDICTION_SOURCES, labels: PREDICTION_SOURCE_LABELS } = labelledValues({
  in_use: "in use",
  stored: "earlier version",
  candidate: "candidate",
});
export type PredictionSource = (typeof PREDICTION_SOURCES)[number];

/** What the admin types to confirm a change of the model in use (the second step). */
export const confirmationPhrase = (version: string) => `use ${version}`;
