/**
 * Predict with any stored model version on one image, in the lab (docs/decisions/067): a
 * version (the one in use, earlier ones; the build's or the store's) or a finished job's
 * candidate, beside the model in use, on an uploaded image or a test image of a dataset. The
 * image goes through the intake's checks and the analysis pipeline; nothing is stored but the
 * audit row.
 */
import { and, desc, eq } from "drizzle-orm";
import sharp from "sharp";
import { getDb } from "#db/client";
import { labJobs } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { classifyPixels, type Classification } from "~/classifier/classify";
import { VERSION_NAME, type ModelSource } from "~/classifier/files.server";
import { activeVersion, getClassifier, heatmapPng, versionSource } from "~/classifier/node.server";
import type { RgbImage } from "~/classifier/pixels";
import { invalid, notFound, rateLimited } from "~/errors/domain-error";
import { getEnv } from "~/env.server";
import { hit } from "~/security/rate-limit.server";
import { ImageRejected, prepareImage } from "~/uploads/image.server";
import { parseUpload } from "~/uploads/multipart.server";
import { DEFAULT_SPLIT, parseManifest, splitRows } from "../../scripts/model/dataset";
import { listDatasets, readDatasetFile } from "./datasets.server";
import { ModelCache } from "./model-cache.server";
import { getModelStore } from "./model-store.server";
import { folderProblems } from "./promotion.server";
import { listVersions } from "./versions.server";
import { PREDICTION_SOURCE_LABELS, type PredictionSource } from "./vocabulary";

/** At most this many lab models loaded at once, besides the model in use the server keeps. */
export const LAB_MODELS_HELD = 2;
const cache = new ModelCache(LAB_MODELS_HELD);
export const labModelCache = () => cache;

/** Test images offered per dataset (the rest can be uploaded). */
const TEST_IMAGES_LISTED = 200;
/** The image shown with the result, at most this many pixels on its longer side. */
const SHOWN_MAX_SIDE = 1024;

export type PredictableVersion = { version: string; source: PredictionSource; label: string };

function requireLab(actor: Actor) {
  if (!can(actor, { type: "lab:use" })) notFound();
}

/** Every version one can predict with: the models folder's, then finished jobs' candidates. */
export async function predictableVersions(actor: Actor): Promise<PredictableVersion[]> {
  requireLab(actor);
  const stored = await listVersions(actor);
  const known = new Set(stored.map((v) => v.version));
  const jobs = await getDb()
    .select({ version: labJobs.version, datasetName: labJobs.datasetName })
    .from(labJobs)
    .where(eq(labJobs.status, "succeeded"))
    .orderBy(desc(labJobs.createdAt));
  const versions: PredictableVersion[] = stored.map((v) => {
    const source: PredictionSource = v.current ? "in_use" : "stored";
    return {
      version: v.version,
      source,
      label: `${v.version} (${PREDICTION_SOURCE_LABELS[source]})`,
    };
  });
  for (const job of jobs) {
    if (known.has(job.version)) continue;
    versions.push({
      version: job.version,
      source: "candidate",
      label: `${job.version} (${PREDICTION_SOURCE_LABELS.candidate}, trained on ${job.datasetName})`,
    });
  }
  return versions;
}

/** The files of a version: an installed one's, else a finished job's candidate (whole). */
async function versionFiles(version: string): Promise<ModelSource> {
  if (!VERSION_NAME.test(version)) notFound();
  const stored = await versionSource(version);
  if (stored && (await stored.read("model.json").catch(() => null))) return stored;
  const [job] = await getDb()
    .select({ id: labJobs.id, version: labJobs.version })
    .from(labJobs)
    .where(and(eq(labJobs.version, version), eq(labJobs.status, "succeeded")))
    .limit(1);
  if (!job) throw invalid("Choose a model version from the list.", "version", 422);
  const candidate = getModelStore().candidate(job.id, job.version);
  const problems = await folderProblems(candidate, version);
  if (problems.length > 0) {
    throw invalid(`${version} cannot be loaded: ${problems.join("; ")}.`, "version", 422);
  }
  return candidate;
}

export type DatasetTestImages = { datasetId: string; name: string; files: string[] };

/** The test side of each dataset's default split (as its report counts it), a few each. */
export async function datasetTestImages(actor: Actor): Promise<DatasetTestImages[]> {
  requireLab(actor);
  const lists: DatasetTestImages[] = [];
  for (const dataset of await listDatasets(actor)) {
    const rows = await manifestOf(actor, dataset.id);
    if (!rows) continue;
    const splits = splitRows(rows, DEFAULT_SPLIT);
    const files = rows
      .filter((r) => splits.get(r.file)?.split === "test")
      .map((r) => r.file)
      .slice(0, TEST_IMAGES_LISTED);
    if (files.length > 0) lists.push({ datasetId: dataset.id, name: dataset.name, files });
  }
  return lists;
}

/** A stored dataset's manifest rows, or null when it has none (yet) in the store. */
async function manifestOf(actor: Actor, datasetId: string) {
  const text = await readDatasetFile(actor, datasetId, "manifest.csv");
  return text ? parseManifest(text.toString("utf8")) : null;
}

/** A dataset image named `<dataset id>/<file>`, only as its manifest lists it. */
async function datasetImage(actor: Actor, named: string) {
  const [datasetId = "", ...rest] = named.split("/");
  const file = rest.join("/");
  const dataset = (await listDatasets(actor)).find((d) => d.id === datasetId);
  const rows = dataset ? ((await manifestOf(actor, dataset.id)) ?? []) : [];
  const bytes =
    dataset && rows.some((r) => r.file === file)
      ? await readDatasetFile(actor, dataset.id, file)
      : null;
  if (!dataset || !bytes) {
    throw invalid("Choose an image of a dataset from the list.", "datasetImage", 422);
  }
  return { bytes: new Uint8Array(bytes), described: `${dataset.name}: ${file}` };
}

/** The intake's refusals of an image, on the image field, with the intake's statuses. */
async function asTheIntake<T>(field: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ImageRejected)) throw error;
    throw invalid(error.message, field, error.status === 400 ? undefined : error.status);
  }
}

/**
 * The lab's prediction form, counted against the account's limit before the body is read
 * (a prediction may load a model), then read with the intake's streaming, size-capped parser.
 */
export async function readPredictionForm(request: Request, actor: Actor): Promise<FormData> {
  requireLab(actor);
  const limit = await hit(
    "lab-predict:account",
    actor.id,
    getEnv().RATE_LIMIT_LAB_PREDICTIONS_PER_ACCOUNT,
  );
  if (!limit.allowed) {
    throw rateLimited(
      "Too many predictions in a short time. Please wait a few minutes before the next one.",
      limit.retryAfterSeconds,
    );
  }
  return asTheIntake("smear", () => parseUpload(request));
}

export type PredictionView = {
  verdict: Classification["verdict"];
  reasons: string[];
  probabilities: Classification["probabilities"];
  topClass: Classification["top"];
  confidence: Classification["confidence"];
  modelVersion: string;
  capture: Classification["capture"];
  /** The heat-map as a PNG data URL; absent when the model could not assess the image. */
  heatmap: string | null;
  inUse: boolean;
};

export type Prediction = {
  source: string;
  /** The image as the models saw it (oriented, re-encoded), a JPEG data URL. */
  image: string;
  /** The chosen version first, then the model in use (when it is another version). */
  results: PredictionView[];
};

const dataUrl = (type: string, bytes: Buffer) => `data:${type};base64,${bytes.toString("base64")}`;

async function view(
  classifier: Parameters<typeof classifyPixels>[0],
  image: RgbImage,
  inUse: boolean,
): Promise<PredictionView> {
  const { classification, activation } = classifyPixels(classifier, image);
  const ok = classification.verdict === "ok";
  const heatmap = ok
    ? dataUrl(
        "image/png",
        await heatmapPng({ classification, activation, width: image.width, height: image.height }),
      )
    : null;
  return {
    verdict: classification.verdict,
    reasons: classification.reasons,
    probabilities: classification.probabilities,
    topClass: classification.top,
    confidence: classification.confidence,
    modelVersion: classification.modelVersion,
    capture: classification.capture,
    heatmap,
    inUse,
  };
}

export type PredictionInput = {
  version: string;
  smear?: File;
  datasetImage?: string;
};

/** Classify one image with `version` and with the model in use; audited, nothing stored. */
export async function predictWithVersion(
  actor: Actor,
  input: PredictionInput,
): Promise<Prediction> {
  requireLab(actor);
  const files = await versionFiles(input.version);
  const { bytes, described } = input.smear
    ? {
        bytes: new Uint8Array(await input.smear.arrayBuffer()),
        described: `an uploaded image (${Math.ceil(input.smear.size / 1024)} KB)`,
      }
    : await datasetImage(actor, input.datasetImage ?? "");
  const field = input.smear ? "smear" : "datasetImage";
  const prepared = await asTheIntake(field, () => prepareImage(bytes));
  const image = prepared.pixels;
  const inUseVersion = await activeVersion();
  const results: PredictionView[] = [];
  if (input.version === inUseVersion) {
    results.push(await view(await getClassifier(), image, true));
  } else {
    results.push(await cache.use(files, (classifier) => view(classifier, image, false)));
    results.push(await view(await getClassifier(), image, true));
  }
  const shown = await sharp(prepared.stored)
    .resize(SHOWN_MAX_SIDE, SHOWN_MAX_SIDE, { fit: "inside", withoutEnlargement: true })
    .jpeg({ quality: 85 })
    .toBuffer();
  await auditSuccess(actor, "lab.predict", {
    targetType: "model_version",
    targetId: input.version,
    detail: `${described}; beside ${inUseVersion}`,
  });
  return { source: described, image: dataUrl("image/jpeg", shown), results };
}
