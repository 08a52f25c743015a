import crypto from "node:crypto";
import { getDb } from "#db/client";
import { analyses, type Analysis } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { notFound } from "~/errors/domain-error";
import { can, type Actor } from "~/auth/permissions";
import type { Classification } from "~/classifier/classify";
import type { AgeBracket } from "./vocabulary";
import type { RgbImage } from "~/classifier/pixels";
import { prepareImage } from "~/uploads/image.server";
import { getImageStore, newImageKey } from "~/uploads/storage.server";

export type Classifier = (image: RgbImage) => Promise<{
  classification: Classification;
  heatmapPng: Buffer;
}>;

export type NewAnalysis = {
  bytes: Uint8Array;
  ageBracket?: AgeBracket;
  note?: string;
};

/**
 * Validate, re-encode, classify, store the files and insert the row. Files are written
 * first and removed again if anything later fails, so there is never a row without its
 * files nor files without their row.
 */
export async function createAnalysis(
  actor: Actor,
  input: NewAnalysis,
  classify: Classifier,
): Promise<Analysis> {
  if (!can(actor, { type: "patient:access" })) notFound();
  const image = await prepareImage(input.bytes);
  // Classify the oriented pixels the stored image is encoded from (one decode per upload).
  const { classification, heatmapPng } = await classify(image.pixels);
  const store = getImageStore();
  const imageKey = newImageKey();
  try {
    await store.put(imageKey, "original", image.stored);
    await store.put(imageKey, "thumbnail", image.thumbnail);
    await store.put(imageKey, "heatmap", heatmapPng);
    // The row and its audit entry commit together (one transaction, one disk sync).
    return getDb().transaction((tx) => {
      const row = tx
        .insert(analyses)
        .values({
          patientId: actor.id,
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
        .get();
      audit({
        actorId: actor.id,
        action: "analysis.create",
        outcome: "success",
        targetType: "analysis",
        targetId: row.id,
      });
      return row;
    });
  } catch (error) {
    await store.deleteAll(imageKey);
    throw error;
  }
}
