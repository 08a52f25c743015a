/**
 * Where the model lab's outputs live (docs/decisions/078): a job's candidate, its comparison
 * with the model in use and its last checkpoint, and the lab versions promoted for use. The
 * app's own store, picked by the images' setting, like the datasets (decision 076).
 *
 * The file store (the embedded default) keeps them where they always were: a job's under
 * `DATA_DIR/lab/jobs/<id>/` (`<version>/`, `comparison.json`, `checkpoint/`), a promoted
 * version as `MODELS_DIR/<version>/`. With `IMAGE_STORE=s3` they are objects of the images'
 * bucket, private and encrypted as the images are:
 *
 *   lab-jobs/<id>/candidate/<file>        the candidate's model folder
 *   lab-jobs/<id>/comparison.json         both models measured on the same test images
 *   lab-jobs/<id>/checkpoint/<epoch>/…    the newest whole checkpoint (`.complete` written last)
 *   lab-models/<version>/<file>           a promoted lab version (`model.json` written last)
 *
 * Files are written before their row (a job's end, a promotion's row); what a crash leaves with
 * no row, the lab's sweep removes after `MODEL_ORPHAN_GRACE_MS`.
 */
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import {
  checkModelFile,
  folderSource,
  modelsRoot,
  type ModelSource,
} from "~/classifier/files.server";
import { getEnv } from "~/env.server";
import {
  deleteObjects,
  getObject,
  listObjects,
  putObject,
  s3Client,
  type S3Settings,
} from "~/uploads/s3-store.server";
import {
  configuredLabStore,
  contentTypeOf,
  copyFolderWhole,
  filesUnder,
  readOrNull,
} from "./dataset-store.server";
import { labRoot } from "./upload.server";

/** A job writes its files minutes apart at most; a promotion writes its row at once. */
export const MODEL_ORPHAN_GRACE_MS = 60 * 60_000;

/** The name of a lab-made version (jobs.server.ts makes them): the only ones in the store. */
export const LAB_VERSION = /^lab-\d{8}-\d{4}-[0-9a-f]{6}$/;
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type StoredEntry = { kind: "job" | "version"; name: string; writtenAt: Date };

export interface ModelStore {
  /** Store a job's candidate folder (trained in a working folder). Durable when it resolves. */
  putCandidate(jobId: string, version: string, dir: string): Promise<void>;
  candidate(jobId: string, version: string): ModelSource;
  putComparison(jobId: string, json: string): Promise<void>;
  getComparison(jobId: string): Promise<Buffer | null>;
  /** Replace the job's checkpoint with the folder of `epoch`'s (the old one stays until then). */
  putCheckpoint(jobId: string, epoch: number, dir: string): Promise<void>;
  /** Copy the job's newest whole checkpoint into an empty folder; false when there is none. */
  fetchCheckpoint(jobId: string, dir: string): Promise<boolean>;
  /** Install a job's candidate as the version `version` (whole, or not at all; once). */
  installCandidate(jobId: string, version: string): Promise<void>;
  /** An installed lab version, or null. */
  version(version: string): Promise<ModelSource | null>;
  /** Every installed lab version. */
  versions(): Promise<string[]>;
  /** Every job and version with files, with when its newest file was written. */
  list(): Promise<StoredEntry[]>;
  delete(entry: Pick<StoredEntry, "kind" | "name">): Promise<void>;
}

function checkJob(id: string) {
  if (!JOB_ID.test(id)) throw new Error("Invalid job id");
}
function checkVersion(version: string) {
  if (!LAB_VERSION.test(version)) throw new Error("Invalid lab version");
}

/** Copy a folder to `target` through a synced temporary sibling and a rename (replacing it). */
async function copyWhole(from: string, target: string) {
  const random = crypto.randomBytes(4).toString("hex");
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${random}`);
  await copyFolderWhole(from, temp, target);
}

const hasFiles = async (dir: string) => (await filesUnder(dir).catch(() => [])).length > 0;

/** Newest time per name, from (name, time) pairs. */
function newest(pairs: [kind: StoredEntry["kind"], name: string, at: Date][]): StoredEntry[] {
  const found = new Map<string, StoredEntry>();
  for (const [kind, name, at] of pairs) {
    const before = found.get(`${kind}:${name}`);
    if (!before || before.writtenAt < at) {
      found.set(`${kind}:${name}`, { kind, name, writtenAt: at });
    }
  }
  return [...found.values()];
}

/** The file store: a job's folder under `jobsRoot`, versions in the models folder. */
export function fileModelStore(jobsRoot: string, modelsDir: () => string = modelsRoot): ModelStore {
  const jobDir = (id: string) => {
    checkJob(id);
    return path.join(jobsRoot, id);
  };
  const versionDir = (version: string) => {
    checkVersion(version);
    return path.join(modelsDir(), version);
  };
  const candidateDir = (jobId: string, version: string) => {
    checkVersion(version);
    return path.join(jobDir(jobId), version);
  };
  /** Folders of `root` named by `valid`, and the temporary `.<name>.<random>` ones beside them. */
  const namesIn = async (root: string, valid: RegExp) => {
    const found: [string, Date][] = [];
    for (const entry of await fsp.readdir(root).catch(() => [] as string[])) {
      const name = entry.startsWith(".") ? entry.slice(1, entry.lastIndexOf(".")) : entry;
      if (!valid.test(name)) continue;
      const stat = await fsp.stat(path.join(root, entry)).catch(() => null);
      if (stat?.isDirectory()) found.push([name, stat.mtime]);
    }
    return found;
  };
  const installed = async (version: string) => {
    const dir = versionDir(version);
    return (await fsp.stat(path.join(dir, "model.json")).catch(() => null))
      ? folderSource(dir)
      : null;
  };
  return {
    async putCandidate(jobId, version, dir) {
      await copyWhole(dir, candidateDir(jobId, version));
    },
    candidate: (jobId, version) => folderSource(candidateDir(jobId, version)),
    async putComparison(jobId, json) {
      const file = path.join(jobDir(jobId), "comparison.json");
      const temporary = `${file}.${crypto.randomBytes(4).toString("hex")}.tmp`;
      await fsp.mkdir(path.dirname(file), { recursive: true });
      await fsp.writeFile(temporary, json);
      await fsp.rename(temporary, file);
    },
    getComparison: (jobId) => readOrNull(path.join(jobDir(jobId), "comparison.json")),
    async putCheckpoint(jobId, _epoch, dir) {
      await copyWhole(dir, path.join(jobDir(jobId), "checkpoint"));
    },
    async fetchCheckpoint(jobId, dir) {
      const from = path.join(jobDir(jobId), "checkpoint");
      if (!(await hasFiles(from))) return false;
      await fsp.cp(from, dir, { recursive: true });
      return true;
    },
    async installCandidate(jobId, version) {
      const target = versionDir(version);
      if (await fsp.stat(target).catch(() => null)) return;
      await copyWhole(candidateDir(jobId, version), target);
    },
    version: installed,
    async versions() {
      const found = await namesIn(modelsDir(), LAB_VERSION);
      const whole: string[] = [];
      for (const [name] of found) if (await installed(name)) whole.push(name);
      return [...new Set(whole)].sort();
    },
    async list() {
      const jobs = await namesIn(jobsRoot, JOB_ID);
      const versions = await namesIn(modelsDir(), LAB_VERSION);
      return newest([
        ...jobs.map(([name, at]) => ["job", name, at] as const),
        ...versions.map(([name, at]) => ["version", name, at] as const),
      ] as [StoredEntry["kind"], string, Date][]);
    },
    async delete({ kind, name }) {
      const target = kind === "job" ? jobDir(name) : versionDir(name);
      const root = path.dirname(target);
      await fsp.rm(target, { recursive: true, force: true });
      for (const entry of await fsp.readdir(root).catch(() => [] as string[])) {
        if (entry.startsWith(`.${name}.`)) {
          await fsp.rm(path.join(root, entry), { recursive: true, force: true });
        }
      }
    },
  };
}

const JOBS = "lab-jobs/";
const MODELS = "lab-models/";
/** The marker of a whole checkpoint: written after every file of its epoch. */
const COMPLETE = ".complete";
const PARALLEL_PUTS = 4;

/** The bucket of the images, under the lab's own prefixes (the images' sweep never lists them). */
export function s3ModelStore(settings: S3Settings): ModelStore {
  const Bucket = settings.bucket;
  let connecting: ReturnType<typeof s3Client> | undefined;
  const client = () => (connecting ??= s3Client(settings));
  const jobPrefix = (id: string) => {
    checkJob(id);
    return `${JOBS}${id}/`;
  };
  const versionPrefix = (version: string) => {
    checkVersion(version);
    return `${MODELS}${version}/`;
  };
  const names = async (prefix: string) =>
    (await listObjects(await client(), Bucket, prefix)).map((o) => o.name);
  const put = async (name: string, body: Uint8Array) =>
    putObject(await client(), Bucket, name, body, contentTypeOf(name));
  const putFolder = async (prefix: string, dir: string) => {
    const files = await filesUnder(dir);
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const file = files[next++]!;
        await put(`${prefix}${file}`, await fsp.readFile(path.join(dir, file)));
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_PUTS }, worker));
  };
  const source = (prefix: string): ModelSource => ({
    key: `s3://${Bucket}/${prefix}`,
    async read(file) {
      checkModelFile(file);
      const bytes = await getObject(await client(), Bucket, `${prefix}${file}`);
      if (!bytes) throw new Error(`${file} is not in the store`);
      return bytes;
    },
  });
  const installed = async (version: string) => {
    const prefix = versionPrefix(version);
    const found = await getObject(await client(), Bucket, `${prefix}model.json`);
    return found ? source(prefix) : null;
  };
  return {
    async putCandidate(jobId, _version, dir) {
      await putFolder(`${jobPrefix(jobId)}candidate/`, dir);
    },
    candidate: (jobId) => source(`${jobPrefix(jobId)}candidate/`),
    async putComparison(jobId, json) {
      await put(`${jobPrefix(jobId)}comparison.json`, Buffer.from(json));
    },
    async getComparison(jobId) {
      return getObject(await client(), Bucket, `${jobPrefix(jobId)}comparison.json`);
    },
    async putCheckpoint(jobId, epoch, dir) {
      const prefix = `${jobPrefix(jobId)}checkpoint/`;
      await putFolder(`${prefix}${epoch}/`, dir);
      await put(`${prefix}${epoch}/${COMPLETE}`, new Uint8Array());
      // The new checkpoint is whole: the older ones go.
      const older = (await names(prefix)).filter((n) => !n.startsWith(`${prefix}${epoch}/`));
      if (older.length > 0) await deleteObjects(await client(), Bucket, older);
    },
    async fetchCheckpoint(jobId, dir) {
      const prefix = `${jobPrefix(jobId)}checkpoint/`;
      const stored = await names(prefix);
      const epochs = stored
        .filter((n) => n.endsWith(`/${COMPLETE}`))
        .map((n) => Number(n.slice(prefix.length).split("/")[0]))
        .filter((n) => Number.isInteger(n));
      if (epochs.length === 0) return false;
      const from = `${prefix}${Math.max(...epochs)}/`;
      const read = source(from);
      for (const name of stored.filter((n) => n.startsWith(from))) {
        const file = name.slice(from.length);
        if (file === COMPLETE) continue;
        await fsp.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await fsp.writeFile(path.join(dir, file), await read.read(file), { mode: 0o600 });
      }
      return true;
    },
    async installCandidate(jobId, version) {
      const to = versionPrefix(version);
      if (await installed(version)) return;
      const from = `${jobPrefix(jobId)}candidate/`;
      const files = (await names(from)).map((n) => n.slice(from.length));
      const candidate = source(from);
      // model.json last: a version is there once its network is, with every other file.
      const ordered = [...files.filter((f) => f !== "model.json"), "model.json"];
      for (const file of ordered) await put(`${to}${file}`, await candidate.read(file));
    },
    version: installed,
    async versions() {
      return (await names(MODELS))
        .filter((n) => n.endsWith("/model.json"))
        .map((n) => n.slice(MODELS.length).split("/")[0]!)
        .filter((v) => LAB_VERSION.test(v))
        .sort();
    },
    async list() {
      const pairs: [StoredEntry["kind"], string, Date][] = [];
      for (const [prefix, kind, valid] of [
        [JOBS, "job", JOB_ID],
        [MODELS, "version", LAB_VERSION],
      ] as const) {
        for (const object of await listObjects(await client(), Bucket, prefix)) {
          const name = object.name.slice(prefix.length).split("/")[0] ?? "";
          if (valid.test(name)) pairs.push([kind, name, object.modified ?? new Date()]);
        }
      }
      return newest(pairs);
    },
    async delete({ kind, name }) {
      const stored = await names(kind === "job" ? jobPrefix(name) : versionPrefix(name));
      if (stored.length > 0) await deleteObjects(await client(), Bucket, stored);
    },
  };
}

export const labJobsRoot = (dataDir = getEnv().DATA_DIR) => path.join(labRoot(dataDir), "jobs");

const modelStores = configuredLabStore(s3ModelStore, (dataDir) =>
  fileModelStore(labJobsRoot(dataDir)),
);
/** The configured store: the images' setting, the lab's own folders or prefixes. */
export const modelStoreFromEnv = modelStores.fromEnv;
export const getModelStore = modelStores.get;
