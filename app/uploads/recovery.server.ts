/**
 * The crash sweep of the image store (docs/decisions/034). An upload commits a pending row
 * in `uploads` before it writes a file, and completes it in the transaction that inserts the
 * analysis; so whatever a crash (kill -9, power cut) leaves is a pending row whose process is
 * gone, with or without some files. `sweepAbandonedUploads` (housekeeping, every instance)
 * removes those; `recoverUploads` (at start-up) also walks the store for folders no row names,
 * temporary and empty files, and reports analyses whose files are missing.
 */
import os from "node:os";
import { and, eq, inArray, isNotNull, isNull, lt } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, doctorProfiles, uploads } from "#db/schema";
import { getImageStore, IMAGE_FILE_NAMES, type ImageStore } from "./storage.server";
import { inTransaction } from "~/data/unit-of-work.server";

/** A pending upload older than this is abandoned whoever wrote it (files take milliseconds). */
export const PENDING_GRACE_MS = 10 * 60_000;
/** How long an Idempotency-Key answers retries with the first result. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3600_000;

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Written by a process of this machine that no longer runs, or too long ago. */
function isAbandoned(owner: string, createdAt: Date, now: Date): boolean {
  if (createdAt.getTime() < now.getTime() - PENDING_GRACE_MS) return true;
  const at = owner.lastIndexOf(":");
  const host = owner.slice(0, at);
  const pid = Number(owner.slice(at + 1));
  return host === os.hostname() && Number.isInteger(pid) && pid > 0 && processIsGone(pid);
}

export type SweepReport = {
  /** Pending uploads whose process is gone: their files and rows removed. */
  abandoned: number;
  /** Idempotency keys past their day, forgotten. */
  expiredKeys: number;
};

/** Remove what interrupted uploads left, and forget expired idempotency keys. Idempotent. */
export async function sweepAbandonedUploads(
  now = new Date(),
  store: ImageStore = getImageStore(),
): Promise<SweepReport> {
  const db = getDb();
  const pending = await db.select().from(uploads).where(isNull(uploads.analysisId));
  let abandoned = 0;
  for (const row of pending) {
    if (!isAbandoned(row.owner, row.createdAt, now)) continue;
    // Files first, then the row: a crash in between leaves the row for the next sweep.
    store.removeSync(row.imageKey);
    const removed = await inTransaction(({ tx }) =>
      tx
        .delete(uploads)
        .where(and(eq(uploads.id, row.id), isNull(uploads.analysisId)))
        .returning({ id: uploads.id }),
    );
    abandoned += removed.length;
  }
  const expired = await inTransaction(({ tx }) =>
    tx
      .delete(uploads)
      .where(
        and(
          isNotNull(uploads.analysisId),
          lt(uploads.createdAt, new Date(now.getTime() - IDEMPOTENCY_KEY_TTL_MS)),
        ),
      )
      .returning({ id: uploads.id }),
  );
  return { abandoned, expiredKeys: expired.length };
}

export type RecoveryReport = SweepReport & {
  /** Image folders no analysis, doctor's photo or pending upload names, removed. */
  orphanFolders: number;
  /** Temporary (`*.tmp`) and empty files removed from analyses' folders. */
  debrisFiles: number;
  /** Files of committed analyses still pending (object stores: a crash after the commit), promoted. */
  promotedFiles: number;
  /** Analyses whose files are missing (only damage outside the app can cause it). */
  missingFiles: string[];
};

const CHUNK = 500;
async function knownKeys(keys: string[]): Promise<{
  analyses: Map<string, string>;
  pending: Set<string>;
  photos: Set<string>;
}> {
  const db = getDb();
  const byKey = new Map<string, string>();
  const pending = new Set<string>();
  const photos = new Set<string>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    for (const row of await db
      .select({ id: analyses.id, imageKey: analyses.imageKey })
      .from(analyses)
      .where(inArray(analyses.imageKey, chunk))) {
      byKey.set(row.imageKey, row.id);
    }
    for (const row of await db
      .select({ imageKey: uploads.imageKey })
      .from(uploads)
      .where(and(inArray(uploads.imageKey, chunk), isNull(uploads.analysisId)))) {
      pending.add(row.imageKey);
    }
    // Doctors' profile photos (app/doctors/photo.server.ts) live in the same store.
    for (const row of await db
      .select({ photoKey: doctorProfiles.photoKey })
      .from(doctorProfiles)
      .where(inArray(doctorProfiles.photoKey, chunk))) {
      if (row.photoKey) photos.add(row.photoKey);
    }
  }
  return { analyses: byKey, pending, photos };
}

/**
 * The full sweep, at start-up: the abandoned uploads, then every folder of the store.
 * The store is listed before the database is read, so a folder an upload creates meanwhile
 * already has its pending row when it is looked up.
 */
export async function recoverUploads(
  store: ImageStore = getImageStore(),
  now = new Date(),
): Promise<RecoveryReport> {
  const sweep = await sweepAbandonedUploads(now, store);
  const listedAt = new Date();
  const listed = await store.list();
  const known = await knownKeys(listed.map((entry) => entry.key));
  let orphanFolders = 0;
  let debrisFiles = 0;
  let promotedFiles = 0;
  const present = new Map<string, number>();
  for (const entry of listed) {
    if (known.pending.has(entry.key) || known.photos.has(entry.key)) continue; // running, or a photo
    if (!known.analyses.has(entry.key)) {
      await store.deleteAll(entry.key);
      orphanFolders += 1;
      continue;
    }
    if (entry.debris.length > 0) {
      await store.removeDebris(entry.key, entry.debris);
      debrisFiles += entry.debris.length;
    }
    if (entry.pending.length > 0) {
      await store.promote(entry.key);
      promotedFiles += entry.pending.length;
    }
    present.set(entry.key, new Set([...entry.complete, ...entry.pending]).size);
  }
  const missingFiles = (
    await getDb()
      .select({ id: analyses.id, imageKey: analyses.imageKey })
      .from(analyses)
      .where(lt(analyses.createdAt, listedAt))
  )
    .filter((row) => (present.get(row.imageKey) ?? 0) < IMAGE_FILE_NAMES.length)
    .map((row) => row.id);
  return { ...sweep, orphanFolders, debrisFiles, promotedFiles, missingFiles };
}
