import crypto from "node:crypto";
import os from "node:os";
import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, uploads, type Analysis } from "#db/schema";
import { isUniqueViolation } from "~/data/sql-dialect.server";
import { audit } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { analysisGate, GateBusy } from "~/capacity/gate.server";
import type { Classification } from "~/classifier/classify";
import type { RgbImage } from "~/classifier/pixels";
import { inTransaction, type Tx } from "~/data/unit-of-work.server";
import { getEnv } from "~/env.server";
import { conflict, invalid, notFound, unavailable } from "~/errors/domain-error";
import { logError } from "~/http/request-context.server";
import { recordConsent } from "~/research/consent.server";
import { prepareImage } from "~/uploads/image.server";
import { getImageStore, newImageKey, type ImageStore } from "~/uploads/storage.server";
import type { AgeBracket } from "./vocabulary";

export type Classifier = (image: RgbImage) => Promise<{
  classification: Classification;
  heatmapPng: Buffer;
}>;

export type NewAnalysis = {
  bytes: Uint8Array;
  ageBracket?: AgeBracket;
  note?: string;
  /** The client's key for this upload: a retry with the same key gets the first result. */
  idempotencyKey?: string;
  /** The patient allows research use of this image and its confirmed label (decision 062). */
  researchConsent?: boolean;
  /**
   * A doctor's upload for a patient of their practice (docs/decisions/061): the analysis
   * belongs to `patientId` (the clinic patient's account), and `record` writes what ties it
   * to the doctor in the same transaction as the analysis.
   */
  forClinicPatient?: {
    patientId: string;
    record: (tx: Tx, analysis: Analysis) => Promise<void>;
  };
};

/** The process that writes a pending upload; the sweep knows it is gone when its pid is. */
export const uploadOwner = () => `${os.hostname()}:${process.pid}`;

/** The work in one of the instance's analysis slots; a full queue or a long wait is a 503. */
async function inAnalysisSlot<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await analysisGate().run(work);
  } catch (error) {
    if (!(error instanceof GateBusy)) throw error;
    const seconds = getEnv().UPLOAD_QUEUE_WAIT_SECONDS;
    throw unavailable(
      `The server is busy analysing other smears. Your photo was not saved: please send it again in ${seconds} seconds.`,
      seconds,
    );
  }
}

/** What a retry must repeat exactly: the file and every field. */
function requestDigest({
  bytes,
  ageBracket,
  note,
  researchConsent,
  forClinicPatient,
}: NewAnalysis): string {
  // The consent joins the digest only when given, so keys of uploads without it keep theirs.
  const fields = [ageBracket ?? null, note ?? null, ...(researchConsent ? ["research"] : [])];
  return crypto
    .createHash("sha256")
    .update(JSON.stringify(forClinicPatient ? [...fields, forClinicPatient.patientId] : fields))
    .update(bytes)
    .digest("hex");
}

/**
 * The analysis a key already produced for this user, or null for a new key. The same key
 * with another upload is refused (422); a first upload still running is a conflict (409).
 */
async function earlierResult(
  actor: Actor,
  key: string,
  digest: string,
  patientId: string,
): Promise<Analysis | null> {
  const db = getDb();
  const earlier = (
    await db
      .select()
      .from(uploads)
      .where(and(eq(uploads.userId, actor.id), eq(uploads.idempotencyKey, key)))
      .limit(1)
  )[0];
  if (!earlier) return null;
  if (earlier.requestSha256 !== digest) {
    throw invalid(
      "This Idempotency-Key was already used for a different upload. Send a new key with a new photo (reload the page to upload another one).",
      undefined,
      422,
    );
  }
  if (!earlier.analysisId) {
    throw conflict("This upload is still being analysed. Wait a moment and try again.");
  }
  const analysis = (
    await db
      .select()
      .from(analyses)
      .where(and(eq(analyses.id, earlier.analysisId), eq(analyses.patientId, patientId)))
      .limit(1)
  )[0];
  return analysis ?? null;
}

/**
 * Validate, re-encode, classify, then store (docs/decisions/034): a pending row in `uploads`
 * is committed first, the files are written and synced under temporary names and renamed,
 * and one transaction inserts the analysis and completes the pending row. A failure removes
 * the files and the pending row; a crash leaves a pending row whose files the sweep removes
 * (`app/uploads/recovery.server.ts`). So there is never a row without its files, and every
 * file has a row.
 */
export async function createAnalysis(
  actor: Actor,
  input: NewAnalysis,
  classify: Classifier,
  store: ImageStore = getImageStore(),
): Promise<Analysis> {
  const clinic = input.forClinicPatient;
  if (!can(actor, clinic ? { type: "clinic:use" } : { type: "patient:access" })) notFound();
  const patientId = clinic?.patientId ?? actor.id;
  const digest = requestDigest(input);
  const key = input.idempotencyKey;
  // A retry of an upload that was saved: the first result again, nothing new.
  const replay = async (analysis: Analysis): Promise<Analysis> => {
    await audit({
      actorId: actor.id,
      action: "analysis.create.replay",
      outcome: "success",
      targetType: "analysis",
      targetId: analysis.id,
    });
    return analysis;
  };
  const earlier = key ? await earlierResult(actor, key, digest, patientId) : null;
  if (earlier) return await replay(earlier);

  // Decoding and classifying hold most of an upload's memory: a few at once per instance
  // (docs/decisions/077). A refusal comes before anything is written.
  const { image, classification, heatmapPng } = await inAnalysisSlot(async () => {
    const { pixels, ...encoded } = await prepareImage(input.bytes);
    // Classify the oriented pixels the stored image is encoded from (one decode per upload).
    return { image: encoded, ...(await classify(pixels)) };
  });
  const imageKey = newImageKey();
  let pendingId: string;
  let analysis: Analysis;
  try {
    pendingId = (
      await inTransaction(({ tx }) =>
        tx
          .insert(uploads)
          .values({
            userId: actor.id,
            imageKey,
            idempotencyKey: key ?? null,
            requestSha256: digest,
            owner: uploadOwner(),
          })
          .returning({ id: uploads.id }),
      )
    )[0].id;
  } catch (error) {
    // The same key sent twice at once: the second finds the first (running or done).
    if (!key || !isUniqueViolation(error)) throw error;
    const first = await earlierResult(actor, key, digest, patientId);
    if (first) return await replay(first);
    throw conflict("This upload is still being analysed. Wait a moment and try again.");
  }
  try {
    await store.put(imageKey, "original", image.stored);
    await store.put(imageKey, "thumbnail", image.thumbnail);
    await store.put(imageKey, "heatmap", heatmapPng);
    // The row, its audit entry and the completed journal entry commit together.
    analysis = await inTransaction(async ({ tx }) => {
      const row = (
        await tx
          .insert(analyses)
          .values({
            patientId,
            imageKey,
            sha256: crypto.createHash("sha256").update(input.bytes).digest("hex"),
            modelVersion: classification.modelVersion,
            verdict: classification.verdict,
            reasons: classification.reasons,
            probabilities: classification.probabilities,
            topClass: classification.top,
            confidence: classification.confidence,
            capture: classification.capture,
            ageBracket: input.ageBracket ?? null,
            note: input.note ?? null,
          })
          .returning()
      )[0];
      // Only a keyed upload needs its journal entry afterwards (to answer retries). Its
      // pending row must still be there: a sweep that took it for abandoned removed files.
      const pending = and(eq(uploads.id, pendingId), isNull(uploads.analysisId));
      const completed = key
        ? await tx
            .update(uploads)
            .set({ analysisId: row.id })
            .where(pending)
            .returning({ id: uploads.id })
        : await tx.delete(uploads).where(pending).returning({ id: uploads.id });
      if (completed.length !== 1) throw new Error("The upload's journal entry was swept");
      // Only a patient consents, for their own upload; a doctor's clinic upload carries none.
      if (input.researchConsent && !clinic) await recordConsent(tx, actor, row.id);
      await clinic?.record(tx, row);
      await audit(
        {
          actorId: actor.id,
          action: "analysis.create",
          outcome: "success",
          targetType: "analysis",
          targetId: row.id,
        },
        tx,
      );
      return row;
    });
  } catch (error) {
    // Files first, then the pending row: a crash in between leaves a row the sweep handles.
    await store.deleteAll(imageKey);
    await inTransaction(({ tx }) =>
      tx.delete(uploads).where(and(eq(uploads.id, pendingId), isNull(uploads.analysisId))),
    );
    throw error;
  }
  // Committed: the files are the analysis's now (an object store moves them out of pending/).
  // Until this succeeds they are still served, and the start-up sweep finishes the move.
  await store.promote(imageKey).catch((error: unknown) => {
    logError(`promoting the images of analysis ${analysis.id}`, error);
  });
  return analysis;
}
