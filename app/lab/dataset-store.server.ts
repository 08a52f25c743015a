/**
 * Where accepted and staged datasets of the model lab live (docs/decisions/076): the app's own
 * store, picked by the same setting as the patients' images. On the embedded default (the file
 * store) a dataset is a folder `DATA_DIR/lab/datasets/<id>/`; with `IMAGE_STORE=s3` it is the
 * objects `lab-datasets/<id>/<file>` of the images' bucket, private and encrypted as they are,
 * so every instance sees every dataset and none is lost with a machine.
 *
 * A dataset's files are written before its row commits (its report needs them checked first):
 * a failure removes them, and a crash leaves files that no row names, which the lab's sweep
 * removes once they are older than `DATASET_ORPHAN_GRACE_MS`.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { getEnv, type Env } from "~/env.server";
import {
  deleteObjects,
  getObject,
  listObjects,
  putObject,
  s3Client,
  type S3Settings,
} from "~/uploads/s3-store.server";
import { s3SettingsFromEnv } from "~/uploads/storage.server";
import { labRoot } from "./upload.server";

/** A dataset's files are written within seconds of each other, then its row at once. */
export const DATASET_ORPHAN_GRACE_MS = 60 * 60_000;

export interface DatasetStore {
  /** Store every file of a checked folder as the dataset `id`. Durable when it resolves. */
  putFolder(id: string, dir: string): Promise<void>;
  /** One file of a dataset (`Pre/a_2.jpg`, `manifest.csv`), or null. */
  get(id: string, file: string): Promise<Buffer | null>;
  /** Copy a dataset into an empty folder (a training job's working copy); how many files. */
  fetchFolder(id: string, dir: string): Promise<number>;
  deleteAll(id: string): Promise<void>;
  /** Every dataset that has files, with when its newest file was written. */
  list(): Promise<{ id: string; writtenAt: Date }[]>;
}

const DATASET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isDatasetId = (id: string) => DATASET_ID.test(id);

function checkId(id: string) {
  if (!isDatasetId(id)) throw new Error("Invalid dataset id");
}

/** A file's name inside a dataset: relative, forward slashes, never leaving the dataset. */
function checkFile(file: string) {
  const parts = file.split("/");
  if (
    !file ||
    file.includes("\\") ||
    file.includes("\0") ||
    parts.some((p) => p === "" || p === "." || p === "..")
  ) {
    throw new Error("Invalid dataset file name");
  }
}

/** Every file under a folder, as relative names with forward slashes. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

export const readOrNull = async (file: string) => {
  try {
    return await fsp.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
};

/**
 * Copy the folder `from` to `target` (replacing it) through `temp`, a sibling of `target`: copied,
 * every file synced, then renamed, so a crash leaves either the old `target` or the whole new
 * one, and at most a temporary folder. The lab's dataset and model stores both write this way.
 */
export async function copyFolderWhole(from: string, temp: string, target: string) {
  await fsp.mkdir(path.dirname(target), { recursive: true });
  try {
    await fsp.cp(from, temp, { recursive: true, errorOnExist: true });
    for (const file of await filesUnder(temp)) {
      const handle = await fsp.open(path.join(temp, file), "r");
      await handle.sync().finally(() => handle.close());
    }
    await fsp.rm(target, { recursive: true, force: true });
    await fsp.rename(temp, target);
  } finally {
    await fsp.rm(temp, { recursive: true, force: true });
  }
}

/**
 * The file store: a dataset is copied into a temporary folder beside its final one, synced, and
 * renamed, so a crash leaves either nothing under the dataset's name or all of it.
 */
export function fileDatasetStore(root: string): DatasetStore {
  const dirOf = (id: string) => {
    checkId(id);
    return path.join(root, id);
  };
  const tempPrefix = (id: string) => `.${id}.`;
  return {
    async putFolder(id, dir) {
      const target = dirOf(id);
      const temp = path.join(root, `${tempPrefix(id)}${crypto.randomBytes(4).toString("hex")}`);
      await copyFolderWhole(dir, temp, target);
    },
    async get(id, file) {
      checkFile(file);
      return await readOrNull(path.join(dirOf(id), file));
    },
    async fetchFolder(id, dir) {
      const from = dirOf(id);
      const files = await filesUnder(from).catch(() => [] as string[]);
      if (files.length > 0) await fsp.cp(from, dir, { recursive: true });
      return files.length;
    },
    async deleteAll(id) {
      const target = dirOf(id);
      await fsp.rm(target, { recursive: true, force: true });
      for (const name of await fsp.readdir(root).catch(() => [] as string[])) {
        if (name.startsWith(tempPrefix(id))) {
          await fsp.rm(path.join(root, name), { recursive: true, force: true });
        }
      }
    },
    async list() {
      const found = new Map<string, Date>();
      for (const name of await fsp.readdir(root).catch(() => [] as string[])) {
        // A temporary folder (`.<id>.<random>`) is what a crash during the copy left.
        const id = name.startsWith(".") ? name.slice(1, 37) : name;
        if (!isDatasetId(id)) continue;
        const stat = await fsp.stat(path.join(root, name)).catch(() => null);
        if (!stat?.isDirectory()) continue;
        const before = found.get(id);
        if (!before || before < stat.mtime) found.set(id, stat.mtime);
      }
      return [...found].map(([id, writtenAt]) => ({ id, writtenAt }));
    },
  };
}

const PREFIX = "lab-datasets/";
/** Files uploaded to the bucket at once. */
const PARALLEL_PUTS = 4;

const CONTENT_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".csv": "text/csv",
  ".json": "application/json",
  ".bin": "application/octet-stream",
};
export const contentTypeOf = (file: string) =>
  CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";

/** The bucket of the images, under a prefix of the lab's own (never listed by the images' sweep). */
export function s3DatasetStore(settings: S3Settings): DatasetStore {
  const Bucket = settings.bucket;
  let connecting: ReturnType<typeof s3Client> | undefined;
  const client = () => (connecting ??= s3Client(settings));
  const objectName = (id: string, file: string) => {
    checkId(id);
    checkFile(file);
    return `${PREFIX}${id}/${file}`;
  };
  const namesOf = async (id: string) => {
    checkId(id);
    return (await listObjects(await client(), Bucket, `${PREFIX}${id}/`)).map((o) => o.name);
  };
  return {
    async putFolder(id, dir) {
      const files = await filesUnder(dir);
      const s3 = await client();
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const file = files[next++]!;
          const body = await fsp.readFile(path.join(dir, file));
          await putObject(s3, Bucket, objectName(id, file), body, contentTypeOf(file));
        }
      };
      await Promise.all(Array.from({ length: PARALLEL_PUTS }, worker));
    },
    async get(id, file) {
      return await getObject(await client(), Bucket, objectName(id, file));
    },
    async fetchFolder(id, dir) {
      const names = await namesOf(id);
      const s3 = await client();
      for (const name of names) {
        const file = name.slice(`${PREFIX}${id}/`.length);
        checkFile(file);
        const bytes = await getObject(s3, Bucket, name);
        if (!bytes) throw new Error(`The dataset file ${file} vanished while it was fetched`);
        await fsp.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await fsp.writeFile(path.join(dir, file), bytes, { mode: 0o600 });
      }
      return names.length;
    },
    async deleteAll(id) {
      const names = await namesOf(id);
      if (names.length > 0) await deleteObjects(await client(), Bucket, names);
    },
    async list() {
      const found = new Map<string, Date>();
      for (const object of await listObjects(await client(), Bucket, PREFIX)) {
        const id = object.name.slice(PREFIX.length).split("/")[0] ?? "";
        if (!isDatasetId(id)) continue;
        const at = object.modified ?? new Date();
        const before = found.get(id);
        if (!before || before < at) found.set(id, at);
      }
      return [...found].map(([id, writtenAt]) => ({ id, writtenAt }));
    },
  };
}

/**
 * A training job's working copy of its datasets, fetched from the store: `<workDir>/<position>/`
 * each, in the job's order. The caller removes `workDir`; a dataset with no stored file fails.
 */
export async function fetchDatasets(
  datasets: { id: string; name: string }[],
  workDir: string,
  store: DatasetStore = getDatasetStore(),
): Promise<string[]> {
  const dirs: string[] = [];
  for (const [position, dataset] of datasets.entries()) {
    const dir = path.join(workDir, String(position));
    await fsp.mkdir(dir, { recursive: true });
    if ((await store.fetchFolder(dataset.id, dir)) === 0) {
      throw new Error(`The files of dataset ${dataset.name} are not in the store.`);
    }
    dirs.push(dir);
  }
  return dirs;
}

export const datasetsRoot = (dataDir = getEnv().DATA_DIR) =>
  path.join(labRoot(dataDir), "datasets");

/**
 * A lab store as configured: by the images' setting (`IMAGE_STORE`), in the bucket under the
 * lab's own prefixes or on disk under `DATA_DIR`; `get` opens one per process.
 */
export function configuredLabStore<S>(
  inBucket: (settings: S3Settings) => S,
  onDisk: (dataDir: string) => S,
) {
  const fromEnv = (env: Env = getEnv()): S =>
    env.IMAGE_STORE === "s3" ? inBucket(s3SettingsFromEnv(env)) : onDisk(env.DATA_DIR);
  let store: S | undefined;
  return { fromEnv, get: (): S => (store ??= fromEnv()) };
}

const datasetStores = configuredLabStore(s3DatasetStore, (dataDir) =>
  fileDatasetStore(datasetsRoot(dataDir)),
);
/** The configured store: the images' setting, the lab's own folder or prefix. */
export const datasetStoreFromEnv = datasetStores.fromEnv;
export const getDatasetStore = datasetStores.get;
