import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { databasePath, getDb } from "#db/client";
import { createAnalysis } from "~/analyses/create.server";
import {
  BackupError,
  createBackup,
  refuseServerStores,
  restoreBackup,
  verifyBackup,
} from "~/backup/backup.server";
import { fileSystemStore } from "~/uploads/storage.server";
import { fixedClassifier } from "../analyses/fixtures";
import { makeUser } from "../helpers";
import { smearLikeImage } from "../uploads/images";

const tempDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `hemalink-${name}-`));

async function seeded() {
  const imagesRoot = tempDir("images");
  const store = fileSystemStore(imagesRoot);
  const patient = await makeUser("patient");
  const made = [
    await createAnalysis(
      patient,
      { bytes: await smearLikeImage(), note: "first" },
      fixedClassifier,
      store,
    ),
    await createAnalysis(
      patient,
      { bytes: await smearLikeImage(180, 160) },
      fixedClassifier,
      store,
    ),
  ];
  return { imagesRoot, store, patient, made };
}

const analysesIn = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("select id, image_key, note, patient_id from analyses order by id").all();
  } finally {
    db.close();
  }
};

describe("a backup restored into a fresh data directory", () => {
  test("holds the same analyses and the same image bytes, checked against the manifest", async () => {
    const { imagesRoot, store, made } = await seeded();
    const target = path.join(tempDir("backup"), "today");
    const manifest = createBackup({ databaseFile: databasePath(), imagesRoot, target });
    expect(manifest.counts.analyses).toBe(
      getDb().$client.prepare("select count(*) as n from analyses").pluck().get(),
    );
    expect(manifest.images.files).toBe(manifest.counts.analyses * 3);
    expect(manifest.leftOut).toBe(0);

    const fresh = tempDir("restored");
    const databaseFile = path.join(fresh, "app.db");
    restoreBackup({ source: target, databaseFile, imagesRoot: path.join(fresh, "images") });
    expect(analysesIn(databaseFile)).toEqual(analysesIn(databasePath()));
    const restored = fileSystemStore(path.join(fresh, "images"));
    for (const analysis of made) {
      for (const file of ["original", "thumbnail", "heatmap"] as const) {
        expect(await restored.get(analysis.imageKey, file)).toEqual(
          await store.get(analysis.imageKey, file),
        );
      }
    }
  });

  test("refuses a data directory that holds data, unless forced", async () => {
    const { imagesRoot } = await seeded();
    const target = path.join(tempDir("backup"), "b");
    createBackup({ databaseFile: databasePath(), imagesRoot, target });
    const fresh = tempDir("restored");
    const into = {
      source: target,
      databaseFile: path.join(fresh, "app.db"),
      imagesRoot: path.join(fresh, "images"),
    };
    restoreBackup(into);
    expect(() => restoreBackup(into)).toThrow(/already holds data.*--force/);
    expect(() => restoreBackup({ ...into, force: true })).not.toThrow();
  });

  test("refuses a non-empty backup folder, an incomplete backup and a damaged one, with the reason", async () => {
    const { imagesRoot } = await seeded();
    const target = path.join(tempDir("backup"), "b");
    createBackup({ databaseFile: databasePath(), imagesRoot, target });
    expect(() => createBackup({ databaseFile: databasePath(), imagesRoot, target })).toThrow(
      /not empty/,
    );

    const manifest = verifyBackup(target);
    const image = path.join(target, manifest.images.entries[0]!.path);
    fs.appendFileSync(image, "x");
    expect(() => verifyBackup(target)).toThrow(/does not match its checksum/);
    fs.rmSync(path.join(target, "manifest.json"));
    expect(() => verifyBackup(target)).toThrow(BackupError);
    expect(() => verifyBackup(target)).toThrow(/no manifest\.json/);
  });

  test("leaves out an analysis deleted while its images were being copied, and uploads still running", async () => {
    const { imagesRoot, made } = await seeded();
    // As if the patient deleted it between the snapshot and the copy: the files are gone.
    fs.rmSync(path.join(imagesRoot, made[1]!.imageKey.slice(0, 2), made[1]!.imageKey), {
      recursive: true,
    });
    const target = path.join(tempDir("backup"), "b");
    const manifest = createBackup({ databaseFile: databasePath(), imagesRoot, target });
    expect(manifest.leftOut).toBeGreaterThanOrEqual(1);
    const ids = (analysesIn(path.join(target, "hemalink.db")) as { id: string }[]).map((r) => r.id);
    expect(ids).toContain(made[0]!.id);
    expect(ids).not.toContain(made[1]!.id);
  });
});

describe("backup and restore on server stores", () => {
  test("refuse a PostgreSQL database and a bucket of images, naming what backs them up", () => {
    const refusal = (env: Record<string, string>) => {
      try {
        refuseServerStores("backs up", env);
        return null;
      } catch (error) {
        expect(error).toBeInstanceOf(BackupError);
        return (error as Error).message;
      }
    };
    expect(refusal({ DATABASE_URL: "data/app.db" })).toBeNull();
    expect(refusal({ DATABASE_URL: "postgres://db.example/hemalink" })).toMatch(
      /this command backs up the embedded SQLite database only.*pg_dump/,
    );
    expect(refusal({ IMAGE_STORE: "s3" })).toMatch(
      /IMAGE_STORE=s3: this command backs up the file store only.*S3 versioning/,
    );
  });
});
