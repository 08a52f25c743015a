/**
 * Research consent (decision 062): a patient's choice for future uploads, each upload's own
 * consent, and revoking every consent given. Revoked consents stay as rows (what was given and
 * when it ended) and take their images out of every later research export. Every change is
 * audited.
 */
import { and, count, eq, isNull } from "drizzle-orm";
import { getDb } from "#db/client";
import { researchConsents, researchPreferences } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { inTransaction, type Tx } from "~/data/unit-of-work.server";
import { notFound } from "~/errors/domain-error";

export type ResearchSettings = {
  shareFutureUploads: boolean;
  /** Analyses whose consent is in force. */
  consented: number;
};

function requirePatient(actor: Actor) {
  if (!can(actor, { type: "patient:access" })) notFound();
}

export async function researchSettings(actor: Actor): Promise<ResearchSettings> {
  requirePatient(actor);
  const db = getDb();
  const [preference] = await db
    .select({ share: researchPreferences.shareFutureUploads })
    .from(researchPreferences)
    .where(eq(researchPreferences.userId, actor.id))
    .limit(1);
  const [active] = await db
    .select({ n: count() })
    .from(researchConsents)
    .where(and(eq(researchConsents.patientId, actor.id), isNull(researchConsents.revokedAt)));
  return { shareFutureUploads: preference?.share ?? false, consented: active?.n ?? 0 };
}

/** Turn research use of future uploads on or off (the upload form starts from it). */
export async function setShareFutureUploads(actor: Actor, share: boolean): Promise<void> {
  requirePatient(actor);
  await inTransaction(async ({ tx }) => {
    await tx
      .insert(researchPreferences)
      .values({ userId: actor.id, shareFutureUploads: share })
      .onConflictDoUpdate({
        target: researchPreferences.userId,
        set: { shareFutureUploads: share, updatedAt: new Date() },
      });
    await auditSuccess(
      actor,
      share ? "research.preference.on" : "research.preference.off",
      { targetType: "user", targetId: actor.id },
      tx,
    );
  });
}

/** Withdraw every consent in force; returns how many. Later exports leave those images out. */
export async function revokeAllResearchConsents(actor: Actor): Promise<number> {
  requirePatient(actor);
  return await inTransaction(async ({ tx }) => {
    const revoked = (
      await tx
        .update(researchConsents)
        .set({ revokedAt: new Date() })
        .where(and(eq(researchConsents.patientId, actor.id), isNull(researchConsents.revokedAt)))
        .returning({ id: researchConsents.analysisId })
    ).length;
    await auditSuccess(
      actor,
      "research.consent.revoke",
      { targetType: "user", targetId: actor.id, detail: `${revoked} analyses` },
      tx,
    );
    return revoked;
  });
}

/** Record an upload's consent inside the transaction that inserts its analysis. */
export async function recordConsent(tx: Tx, actor: Actor, analysisId: string): Promise<void> {
  await tx
    .insert(researchConsents)
    .values({ analysisId, patientId: actor.id, grantedAt: new Date() });
  await auditSuccess(
    actor,
    "research.consent.grant",
    { targetType: "analysis", targetId: analysisId },
    tx,
  );
}
