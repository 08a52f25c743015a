/**
 * "Delete my account" (docs/decisions/036): after the password again, one unit of work tells
 * the doctor of every case still shared that it was withdrawn (a notice that names no
 * patient and links nowhere), writes the audit entry, removes the reviews and the user row,
 * and with it, by the schema's cascades, the sessions, analyses, consultations, messages,
 * notifications and upload journal. The images go after the commit: a crash in between
 * leaves folders no row names, which the start-up sweep removes (app/uploads/recovery.server.ts).
 * The append-only audit log keeps its rows, which carry the account's random id only.
 */
import { and, count, eq, inArray, isNull, type SQL } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, consultations, doctorProfiles, reviews, users } from "#db/schema";
import { audit, auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { verifyPassword } from "~/auth/password.server";
import { LIVE_STATUSES } from "~/consultations/vocabulary";
import { inTransaction } from "~/data/unit-of-work.server";
import { invalid, notFound, rateLimited } from "~/errors/domain-error";
import { notify } from "~/notifications/notifications.server";
import { hit } from "~/security/rate-limit.server";
import { getImageStore } from "~/uploads/storage.server";
import { ACCOUNT_DELETED_NOTICE } from "./vocabulary";

/** Password attempts on the deletion form per account per window. */
const ATTEMPTS = 5;

export type DeletedAccount = { analyses: number; consultations: number; doctorsTold: number };

export async function deleteOwnAccount(actor: Actor, password: string): Promise<DeletedAccount> {
  if (!can(actor, { type: "patient:access" })) notFound();
  const db = getDb();
  const user =
    (await db.select().from(users).where(eq(users.id, actor.id)).limit(1))[0] ?? notFound();
  const limit = await hit("account-delete:account", actor.id, ATTEMPTS);
  if (!limit.allowed) {
    throw rateLimited("Too many attempts. Please wait a few minutes.", limit.retryAfterSeconds);
  }
  if (!(await verifyPassword(password, user.passwordHash))) {
    await audit({
      actorId: actor.id,
      action: "account.delete",
      outcome: "failure",
      targetType: "user",
      targetId: actor.id,
    });
    throw invalid("That is not your password.", "password", 401);
  }
  const deleted = await inTransaction(async (uow) => {
    const { tx } = uow;
    const imageKeys = (
      await tx
        .select({ key: analyses.imageKey })
        .from(analyses)
        .where(eq(analyses.patientId, actor.id))
    ).map((r) => r.key);
    const shared = await tx
      .select({ id: consultations.id, doctorUserId: doctorProfiles.userId })
      .from(consultations)
      .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
      .where(
        and(
          eq(consultations.patientId, actor.id),
          inArray(consultations.status, LIVE_STATUSES),
          isNull(consultations.revokedAt),
        ),
      );
    const total = (
      await tx
        .select({ id: consultations.id })
        .from(consultations)
        .where(eq(consultations.patientId, actor.id))
    ).length;
    // The notices outlive the consultation: no consultation id (its rows cascade away).
    for (const doctorUserId of new Set(shared.map((c) => c.doctorUserId))) {
      await notify(uow, {
        userId: doctorUserId,
        kind: "consultation.withdrawn",
        text: ACCOUNT_DELETED_NOTICE,
        link: null,
      });
    }
    // Explicitly, so the doctors' rating aggregates follow through their triggers.
    await tx.delete(reviews).where(eq(reviews.authorId, actor.id));
    await tx.delete(users).where(eq(users.id, actor.id));
    await auditSuccess(
      actor,
      "account.delete",
      {
        targetType: "user",
        targetId: actor.id,
        detail: `${imageKeys.length} analyses, ${total} consultations`,
      },
      tx,
    );
    return {
      imageKeys,
      consultations: total,
      doctorsTold: new Set(shared.map((c) => c.doctorUserId)).size,
    };
  });
  const store = getImageStore();
  for (const key of deleted.imageKeys) await store.deleteAll(key);
  return {
    analyses: deleted.imageKeys.length,
    consultations: deleted.consultations,
    doctorsTold: deleted.doctorsTold,
  };
}

/** For the page: what the account holds (what a deletion would remove). */
export async function accountSummary(actor: Actor) {
  if (!can(actor, { type: "patient:access" })) notFound();
  const db = getDb();
  const countOf = async (
    table: typeof analyses | typeof consultations | typeof reviews,
    where: SQL,
  ) => (await db.select({ n: count() }).from(table).where(where).limit(1))[0]?.n ?? 0;
  return {
    analyses: await countOf(analyses, eq(analyses.patientId, actor.id)),
    consultations: await countOf(consultations, eq(consultations.patientId, actor.id)),
    reviews: await countOf(reviews, eq(reviews.authorId, actor.id)),
  };
}
