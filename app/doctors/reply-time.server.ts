/**
 * The doctor's median reply time, kept on the profile (`reply_count`, `median_reply_ms`) so
 * the finder reads it with the rest of a hit and never aggregates consultations per search.
 *
 * A consultation counts once the doctor has answered it; its reply time runs from the
 * request to the doctor's first reply: their first message in the thread, or the answer
 * when it came first. Recomputed from the timestamps (not incremented), in the answer's
 * own transaction, so the figure always equals what the consultations say; the migration
 * (db/migrations/0015) backfilled it with the same definition. Decision 048.
 */
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { consultationMessages, consultations, doctorProfiles } from "#db/schema";
import { epochMs, rawRun } from "~/data/sql-dialect.server";
import type { Executor } from "~/data/unit-of-work.server";

/** The median of the values (the mean of the middle two for an even count), or null. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** Recompute the doctor's reply count and median on `db` (call it inside the answer's transaction). */
export async function refreshReplyTime(db: Executor, doctorProfileId: string): Promise<void> {
  const doctor = (
    await db
      .select({ userId: doctorProfiles.userId })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.id, doctorProfileId))
      .limit(1)
  )[0];
  if (!doctor) return;
  const firstMessage = db
    .select({ at: sql`min(${epochMs(consultationMessages.createdAt)})` })
    .from(consultationMessages)
    .where(
      and(
        eq(consultationMessages.consultationId, consultations.id),
        eq(consultationMessages.authorId, doctor.userId),
      ),
    );
  const rows = await db
    .select({
      requestedAt: epochMs(consultations.requestedAt),
      answeredAt: epochMs(consultations.answeredAt),
      firstMessageAt: sql<number | null>`(${firstMessage})`.mapWith(Number),
    })
    .from(consultations)
    .where(
      and(
        eq(consultations.doctorProfileId, doctorProfileId),
        isNotNull(consultations.answeredAt),
        // A doctor's own clinic records are not replies to a patient's request (decision 061).
        isNull(consultations.clinicPatientId),
      ),
    );
  const replies = rows.map(
    (r) => Math.min(r.answeredAt, r.firstMessageAt ?? r.answeredAt) - r.requestedAt,
  );
  // Raw SQL: the profile's updated_at is the doctor's edits, not their consultations.
  await rawRun(
    db,
    sql`UPDATE ${doctorProfiles} SET reply_count = ${replies.length}, median_reply_ms = ${median(replies)}
        WHERE id = ${doctorProfileId}`,
  );
}
