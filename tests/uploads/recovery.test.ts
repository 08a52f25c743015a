import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, uploads } from "#db/schema";
import { createAnalysis, uploadOwner } from "~/analyses/create.server";
import { DomainError } from "~/errors/domain-error";
import { statusOf } from "~/http/errors.server";
import {
  IDEMPOTENCY_KEY_TTL_MS,
  PENDING_GRACE_MS,
  recoverUploads,
  sweepAbandonedUploads,
} from "~/uploads/recovery.server";
import { fileSystemStore, newImageKey } from "~/uploads/storage.server";
import { fixedClassifier } from "../analyses/fixtures";
import { makeUser } from "../helpers";
import { smearLikeImage } from "./images";
import { inTransaction } from "~/data/unit-of-work.server";

/** A store of its own per test: the sweep walks all of it. */
function freshStore() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-store-"));
  const files = () =>
    fs
      .readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => f.includes("."));
  const folders = () =>
    fs.readdirSync(root).flatMap((prefix) => fs.readdirSync(path.join(root, prefix)));
  return { root, store: fileSystemStore(root), files, folders };
}

/** The pid of a process that has exited: what a kill -9 leaves in the journal. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], {
    encoding: "utf8",
  });
  return Number(child.stdout.trim());
}

/** What a crash between the pending row and the commit leaves: the row and some files. */
async function crashedUpload(
  root: string,
  userId: string,
  { owner = `${os.hostname()}:${deadPid()}`, createdAt = new Date() } = {},
) {
  const imageKey = newImageKey();
  const dir = path.join(root, imageKey.slice(0, 2), imageKey);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "original.jpg"), "jpeg bytes");
  fs.writeFileSync(path.join(dir, "thumbnail.jpg.123.abcd.tmp"), "half");
  await inTransaction(({ tx }) =>
    tx
      .insert(uploads)
      .values({ userId, imageKey, requestSha256: "0".repeat(64), owner, createdAt }),
  );
  return { imageKey, dir };
}

const statusOfRefusal = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`Expected a domain error, got ${error}`);
  return statusOf(error);
};

describe("an upload retried with the same Idempotency-Key", () => {
  test("gets the first analysis back and stores nothing twice", async () => {
    const { store, files } = freshStore();
    const patient = await makeUser("patient");
    const bytes = await smearLikeImage();
    const input = { bytes, note: "left arm", idempotencyKey: "retry-key-0001" };
    const first = await createAnalysis(patient, input, fixedClassifier, store);
    const again = await createAnalysis(patient, input, fixedClassifier, store);
    expect(again.id).toBe(first.id);
    expect(
      await getDb().select().from(analyses).where(eq(analyses.patientId, patient.id)),
    ).toHaveLength(1);
    expect(files()).toHaveLength(3);
  });

  test("sent twice at once, saves one analysis", async () => {
    const { store, files } = freshStore();
    const patient = await makeUser("patient");
    const input = { bytes: await smearLikeImage(), idempotencyKey: "burst-key-0001" };
    const results = await Promise.allSettled([
      await createAnalysis(patient, input, fixedClassifier, store),
      await createAnalysis(patient, input, fixedClassifier, store),
    ]);
    const saved = await getDb().select().from(analyses).where(eq(analyses.patientId, patient.id));
    expect(saved).toHaveLength(1);
    for (const result of results) {
      if (result.status === "fulfilled") expect(result.value.id).toBe(saved[0]!.id);
      else expect(statusOf(result.reason as DomainError)).toBe(409);
    }
    expect(files()).toHaveLength(3);
  });

  test("with another photo or note is refused with 422 and a message, and saves nothing", async () => {
    const { store, files } = freshStore();
    const patient = await makeUser("patient");
    const key = "reused-key-0001";
    await createAnalysis(
      patient,
      { bytes: await smearLikeImage(), idempotencyKey: key },
      fixedClassifier,
      store,
    );
    const other = createAnalysis(
      patient,
      { bytes: await smearLikeImage(200, 200), idempotencyKey: key },
      fixedClassifier,
      store,
    );
    await expect(other).rejects.toThrow(/already used for a different upload/);
    expect(
      await statusOfRefusal(
        createAnalysis(
          patient,
          { bytes: await smearLikeImage(), note: "changed", idempotencyKey: key },
          fixedClassifier,
          store,
        ),
      ),
    ).toBe(422);
    expect(files()).toHaveLength(3);
  });

  test("is scoped to the user: another patient's same key is a new upload", async () => {
    const { store } = freshStore();
    const [a, b] = [await makeUser("patient"), await makeUser("patient")];
    const input = { bytes: await smearLikeImage(), idempotencyKey: "shared-key-0001" };
    const first = await createAnalysis(a, input, fixedClassifier, store);
    const second = await createAnalysis(b, input, fixedClassifier, store);
    expect(second.id).not.toBe(first.id);
    expect(second.patientId).toBe(b.id);
  });

  test("after a failed first attempt, can be used again (nothing was saved)", async () => {
    const { store, files } = freshStore();
    const patient = await makeUser("patient");
    const key = "failed-key-0001";
    await expect(
      createAnalysis(
        patient,
        { bytes: Buffer.from("<svg/>"), idempotencyKey: key },
        fixedClassifier,
        store,
      ),
    ).rejects.toThrow();
    const saved = await createAnalysis(
      patient,
      { bytes: await smearLikeImage(), idempotencyKey: key },
      fixedClassifier,
      store,
    );
    expect(saved.patientId).toBe(patient.id);
    expect(files()).toHaveLength(3);
    expect(await getDb().select().from(uploads).where(eq(uploads.userId, patient.id))).toHaveLength(
      1,
    );
  });
});

describe("the crash sweep", () => {
  test("an upload whose pending row was swept under it (taken for abandoned) saves nothing", async () => {
    const { store, files } = freshStore();
    const patient = await makeUser("patient");
    // What a sweep does between two of the upload's writes: files, then the pending row.
    const sweptMidway: typeof store = {
      ...store,
      async put(key, file, bytes) {
        if (file === "heatmap") {
          store.removeSync(key);
          await inTransaction(({ tx }) => tx.delete(uploads).where(eq(uploads.imageKey, key)));
        }
        await store.put(key, file, bytes);
      },
    };
    await expect(
      createAnalysis(patient, { bytes: await smearLikeImage() }, fixedClassifier, sweptMidway),
    ).rejects.toThrow(/journal entry was swept/);
    expect(await getDb().select().from(analyses).where(eq(analyses.patientId, patient.id))).toEqual(
      [],
    );
    expect(files()).toEqual([]);
  });

  test("removes the files and row of an upload whose process died, keeps a running one's", async () => {
    const { root, store, folders } = freshStore();
    const patient = await makeUser("patient");
    const crashed = await crashedUpload(root, patient.id);
    const running = await crashedUpload(root, patient.id, { owner: uploadOwner() });

    const report = await sweepAbandonedUploads(new Date(), store);

    expect(report.abandoned).toBe(1);
    expect(fs.existsSync(crashed.dir)).toBe(false);
    expect(folders()).toEqual([running.imageKey]);
    const left = await getDb().select().from(uploads).where(eq(uploads.userId, patient.id));
    expect(left.map((r) => r.imageKey)).toEqual([running.imageKey]);
    // Idempotent: the next instance's run finds nothing.
    expect((await sweepAbandonedUploads(new Date(), store)).abandoned).toBe(0);
  });

  test("removes a pending upload older than the grace period whoever wrote it", async () => {
    const { root, store, folders } = freshStore();
    const patient = await makeUser("patient");
    await crashedUpload(root, patient.id, {
      owner: "another-host:4242",
      createdAt: new Date(Date.now() - PENDING_GRACE_MS - 1000),
    });
    const recent = await crashedUpload(root, patient.id, { owner: "another-host:4242" });
    expect((await sweepAbandonedUploads(new Date(), store)).abandoned).toBe(1);
    expect(folders()).toEqual([recent.imageKey]);
  });

  test("forgets idempotency keys after a day", async () => {
    const { store } = freshStore();
    const patient = await makeUser("patient");
    const input = { bytes: await smearLikeImage(), idempotencyKey: "old-key-00001" };
    await createAnalysis(patient, input, fixedClassifier, store);
    const later = new Date(Date.now() + IDEMPOTENCY_KEY_TTL_MS + 1000);
    expect((await sweepAbandonedUploads(later, store)).expiredKeys).toBeGreaterThanOrEqual(1);
    expect(await getDb().select().from(uploads).where(eq(uploads.userId, patient.id))).toEqual([]);
  });

  test("at start-up also removes folders without a row and debris, and names rows without files", async () => {
    const { root, store, files } = freshStore();
    const patient = await makeUser("patient");
    const kept = await createAnalysis(
      patient,
      { bytes: await smearLikeImage() },
      fixedClassifier,
      store,
    );
    const keptDir = path.join(root, kept.imageKey.slice(0, 2), kept.imageKey);
    fs.writeFileSync(path.join(keptDir, "heatmap.png.99.beef.tmp"), "partial");
    fs.writeFileSync(path.join(keptDir, "stray.jpg"), "");
    // A folder no row names (what the old code left after a kill -9), and a crashed upload.
    const orphan = path.join(root, "ab", `ab${"c".repeat(22)}`);
    fs.mkdirSync(orphan, { recursive: true });
    fs.writeFileSync(path.join(orphan, "original.jpg"), "smear");
    await crashedUpload(root, patient.id);
    // A row whose files are gone (damage from outside the app).
    const lost = await createAnalysis(
      patient,
      { bytes: await smearLikeImage(160, 160) },
      fixedClassifier,
      store,
    );
    fs.rmSync(path.join(root, lost.imageKey.slice(0, 2), lost.imageKey), { recursive: true });

    const report = await recoverUploads(store, new Date());

    expect(report).toMatchObject({ abandoned: 1, orphanFolders: 1, debrisFiles: 2 });
    expect(report.missingFiles).toContain(lost.id);
    expect(report.missingFiles).not.toContain(kept.id);
    expect(files().sort()).toEqual(
      ["heatmap.png", "original.jpg", "thumbnail.jpg"].map((f) =>
        path.join(kept.imageKey.slice(0, 2), kept.imageKey, f),
      ),
    );
    expect(await recoverUploads(store, new Date())).toMatchObject({
      abandoned: 0,
      orphanFolders: 0,
      debrisFiles: 0,
    });
  });
});
