/** Scheduled consultation work: answered consultations close by themselves after a while. */
import { and, eq, lt } from "drizzle-orm";
import { consultations } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { notify } from "~/notifications/notifications.server";
import { autoClosedNotice } from "./notices.server";

const DAY_MS = 86_400_000;

/** Close answered consultations older than `days`, telling each patient. Returns how many. */
export async function autoCloseAnswered(days: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - days * DAY_MS);
  return await inTransaction(async (uow) => {
    const closed = await uow.tx
      .update(consultations)
      .set({ status: "closed", closedAt: now })
      .where(and(eq(consultations.status, "answered"), lt(consultations.answeredAt, cutoff)))
      .returning();
    for (const row of closed) {
      await audit(
        {
          actorId: null,
          action: "consultation.auto-close",
          outcome: "success",
          targetType: "consultation",
          targetId: row.id,
        },
        uow.tx,
      );
      await notify(uow, autoClosedNotice(row, days));
    }
    return closed.length;
  });
}
