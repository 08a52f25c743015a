/**
 * Backup and restore of the embedded database and the image store (docs/decisions/035).
 * A backup is taken while the app runs: `VACUUM INTO` writes one consistent snapshot of the
 * database (a single read transaction: writers go on, nothing restarts it), then the images
 * of the analyses in that snapshot are copied; an analysis deleted meanwhile (its files gone)
 * is left out of the copy too, so the backup never holds a row without its images. The
 * manifest, written last, lists counts and a sha256 for every file: a folder without one is
 * not a backup. A restore verifies everything before it writes, and refuses a data directory
 * that already holds data unless told to replace it.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { migrateDatabase, openDatabase } from "#db/client";
import { isPostgresUrl } from "#db/engine";
import { IMAGE_FILE_NAMES, IMAGE_FILES } from "~/uploads/storage.server";

export const MANIFEST = "manifest.json";
const DATABASE = "hemalink.db";
const IMAGES = "images";
/** The tables whose rows a manifest counts (and a restore reports). */
const COUNTED = [
  "users",
  "doctor_profiles",
  "analyses",
  "consultations",
  "consultation_messages",
  "reviews",
  "notifications",
  "audit_log",
] as const;

/** A refusal of the backup or restore command, in words for the operator. */
export class BackupError extends Error {
  override readonly name = "BackupError";
}

/**
 * Backup and restore copy a SQLite file and the file store's images: on PostgreSQL (docs/decisions/058)
 * or with images in a bucket (IMAGE_STORE=s3) they refuse, and say what backs those up instead.
 * `does` is what the command does, for the message ("backs up", "restores").
 */
export function refuseServerStores(
  does: string,
  env: Record<string, string | undefined> = process.env,
): void {
  if (isPostgresUrl(env.DATABASE_URL)) {
    throw new BackupError(
      `DATABASE_URL is a PostgreSQL server: this command ${does} the embedded SQLite database only. ` +
        "Back Postgres up with pg_dump / pg_restore or the provider's point-in-time recovery, " +
        "the bucket's images with S3 versioning (docs/decisions/051, 058).",
    );
  }
  if (env.IMAGE_STORE === "s3") {
    // The images are in the bucket, not in DATA_DIR/images: a backup without them would look whole.
    throw new BackupError(
      `IMAGE_STORE=s3: this command ${does} the file store only. Keep the bucket's images with S3 ` +
        "versioning and replication, the database with its own backups (docs/decisions/051).",
    );
  }
}

export type Manifest = {
  format: "hemalink-backup";
  version: 1;
  createdAt: string;
  database: { file: string; bytes: number; sha256: string; migration: string | null };
  counts: Record<(typeof COUNTED)[number], number>;
  images: {
    files: number;
    bytes: number;
    entries: { path: string; bytes: number; sha256: string }[];
  };
  /** Analyses deleted between the snapshot and the copy of their images: left out. */
  leftOut: number;
};

const sha256Of = (file: string) =>
  crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

const isEmptyDir = (dir: string) => !fs.existsSync(dir) || fs.readdirSync(dir).length === 0;

const keyDir = (root: string, key: string) => path.join(root, key.slice(0, 2), key);

function countsOf(db: Database.Database): Manifest["counts"] {
  const counts = {} as Manifest["counts"];
  for (const table of COUNTED) {
    counts[table] = (db.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n;
  }
  return counts;
}

function lastMigration(db: Database.Database): string | null {
  try {
    const row = db
      .prepare("select hash from __drizzle_migrations order by created_at desc limit 1")
      .get() as { hash: string } | undefined;
    return row?.hash ?? null;
  } catch {
    return null;
  }
}

/** Back up `databaseFile` and the images under `imagesRoot` into the new folder `target`. */
export function createBackup({
  databaseFile,
  imagesRoot,
  target,
}: {
  databaseFile: string;
  imagesRoot: string;
  target: string;
}): Manifest {
  if (!fs.existsSync(databaseFile)) {
    throw new BackupError(`There is no database at ${databaseFile} (check DATABASE_URL).`);
  }
  if (!isEmptyDir(target)) {
    throw new BackupError(`${target} is not empty. Back up into a new or empty folder.`);
  }
  fs.mkdirSync(path.join(target, IMAGES), { recursive: true });
  const snapshot = path.join(target, DATABASE);
  const source = new Database(databaseFile, { fileMustExist: true });
  try {
    source.pragma("busy_timeout = 5000");
    source.prepare("vacuum into ?").run(snapshot);
  } finally {
    source.close();
  }

  const copy = new Database(snapshot);
  let leftOut = 0;
  const entries: Manifest["images"]["entries"] = [];
  try {
    copy.pragma("foreign_keys = ON");
    // Uploads still running at the snapshot: their files are not part of it.
    copy.prepare("delete from uploads where analysis_id is null").run();
    const rows = copy.prepare("select id, image_key as key from analyses").all() as {
      id: string;
      key: string;
    }[];
    const gone: string[] = [];
    for (const { id, key } of rows) {
      const from = keyDir(imagesRoot, key);
      const names = IMAGE_FILE_NAMES.map((file) => IMAGE_FILES[file].name);
      if (!names.every((name) => fs.existsSync(path.join(from, name)))) {
        gone.push(id);
        continue;
      }
      const to = keyDir(path.join(target, IMAGES), key);
      fs.mkdirSync(to, { recursive: true });
      for (const name of names) {
        fs.copyFileSync(path.join(from, name), path.join(to, name));
        const file = path.join(to, name);
        entries.push({
          path: path.relative(target, file).split(path.sep).join("/"),
          bytes: fs.statSync(file).size,
          sha256: sha256Of(file),
        });
      }
    }
    const remove = copy.prepare("delete from analyses where id = ?");
    copy.transaction(() => gone.forEach((id) => remove.run(id)))();
    leftOut = gone.length;
    // One self-contained file: no -wal beside it.
    copy.pragma("journal_mode = DELETE");
    const manifest: Manifest = {
      format: "hemalink-backup",
      version: 1,
      createdAt: new Date().toISOString(),
      database: { file: DATABASE, bytes: 0, sha256: "", migration: lastMigration(copy) },
      counts: countsOf(copy),
      images: {
        files: entries.length,
        bytes: entries.reduce((sum, e) => sum + e.bytes, 0),
        entries,
      },
      leftOut,
    };
    copy.close();
    manifest.database.bytes = fs.statSync(snapshot).size;
    manifest.database.sha256 = sha256Of(snapshot);
    // Written last: its presence says the backup is complete.
    fs.writeFileSync(path.join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    if (copy.open) copy.close();
  }
}

/** The backup's manifest, after checking every file it lists against its checksum. */
export function verifyBackup(source: string): Manifest {
  const manifestFile = path.join(source, MANIFEST);
  if (!fs.existsSync(manifestFile)) {
    throw new BackupError(
      `${source} is not a complete backup: it has no ${MANIFEST} (an interrupted backup has none).`,
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest;
  if (manifest.format !== "hemalink-backup" || manifest.version !== 1) {
    throw new BackupError(`${manifestFile} is not a HemaLink backup manifest of a known version.`);
  }
  const check = (relative: string, sha256: string) => {
    const file = path.join(source, relative);
    if (relative.includes("..") || !fs.existsSync(file)) {
      throw new BackupError(`The backup is damaged: ${relative} is missing.`);
    }
    if (sha256Of(file) !== sha256) {
      throw new BackupError(`The backup is damaged: ${relative} does not match its checksum.`);
    }
  };
  check(manifest.database.file, manifest.database.sha256);
  for (const entry of manifest.images.entries) check(entry.path, entry.sha256);
  const db = new Database(path.join(source, manifest.database.file), { readonly: true });
  try {
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") throw new BackupError(`The backup's database is damaged: ${integrity}`);
  } finally {
    db.close();
  }
  return manifest;
}

function holdsData(databaseFile: string, imagesRoot: string): boolean {
  if (fs.existsSync(databaseFile) && fs.statSync(databaseFile).size > 0) return true;
  return !isEmptyDir(imagesRoot);
}

/**
 * Restore the backup in `source` to `databaseFile` and `imagesRoot` (the app stopped). A
 * place that already holds data is refused unless `force`; the files are written beside
 * their targets and renamed into place, then the database is migrated to this version.
 */
export function restoreBackup({
  source,
  databaseFile,
  imagesRoot,
  force = false,
}: {
  source: string;
  databaseFile: string;
  imagesRoot: string;
  force?: boolean;
}): Manifest {
  const manifest = verifyBackup(source);
  if (!force && holdsData(databaseFile, imagesRoot)) {
    throw new BackupError(
      `${databaseFile} or ${imagesRoot} already holds data. Restore into an empty data directory, or stop the app and pass --force to replace it.`,
    );
  }
  fs.mkdirSync(path.dirname(path.resolve(databaseFile)), { recursive: true });
  const stagedImages = `${imagesRoot}.restoring`;
  fs.rmSync(stagedImages, { recursive: true, force: true });
  fs.mkdirSync(stagedImages, { recursive: true });
  for (const entry of manifest.images.entries) {
    const to = path.join(stagedImages, path.relative(IMAGES, entry.path));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(source, entry.path), to);
  }
  const stagedDb = `${databaseFile}.restoring`;
  fs.copyFileSync(path.join(source, manifest.database.file), stagedDb);

  fs.rmSync(imagesRoot, { recursive: true, force: true });
  fs.renameSync(stagedImages, imagesRoot);
  for (const suffix of ["-wal", "-shm"]) fs.rmSync(`${databaseFile}${suffix}`, { force: true });
  fs.renameSync(stagedDb, databaseFile);

  const db = openDatabase(databaseFile);
  try {
    migrateDatabase(db);
  } finally {
    db.$client.close();
  }
  return manifest;
}
