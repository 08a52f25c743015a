/**
 * In-app notifications (the badges in the navigation) and their e-mail echo. E-mails say
 * only that something happened and link to the app: no names, classes or messages leave it.
 */
import { and, count, countDistinct, desc, eq, isNotNull, isNull, ne, or } from "drizzle-orm";
import { getDb } from "#db/client";
import { notifications, users } from "#db/schema";
import { insertionOrder } from "~/data/sql-dialect.server";
import type { Actor } from "~/auth/permissions";
import type { UnitOfWork } from "~/data/unit-of-work.server";
import { getEnv } from "~/env.server";
import { sendMail } from "./mail.server";
import type { NotificationKind } from "./vocabulary";
import { inTransaction } from "~/data/unit-of-work.server";

export type NewNotification = {
  kind: NotificationKind;
  text: string;
  link: string | null;
  consultationId?: string;
};

const SUBJECTS: Record<NotificationKind, string> = {
  "consultation.requested": "A patient has shared a case with you",
  "consultation.accepted": "Your consultation request was accepted",
  "consultation.declined": "Your consultation request was declined",
  "consultation.answered": "A hematologist has answered your consultation",
  "consultation.withdrawn": "A consultation request was withdrawn",
  "consultation.revoked": "A patient has ended your access to a case",
  "consultation.closed": "A consultation was closed",
  "consultation.message": "You have a new message",
  "consultation.access-lost": "A hematologist can no longer see your case",
  "consultation.access-restored": "A hematologist can see your case again",
};

/**
 * Record a notification in the change's unit of work; its e-mail is queued to go out
 * after the commit (a rolled-back change leaves no row and sends nothing).
 */
export async function notify(
  uow: UnitOfWork,
  { userId, ...n }: { userId: string } & NewNotification,
) {
  if (!userId) return;
  await uow.tx
    .insert(notifications)
    .values({ userId, kind: n.kind, text: n.text, link: n.link, consultationId: n.consultationId });
  const recipient = (
    await uow.tx.select({ email: users.email }).from(users).where(eq(users.id, userId)).limit(1)
  )[0];
  if (!recipient) return;
  const url = new URL(n.link ?? "/notifications", getEnv().APP_URL).toString();
  uow.afterCommit(() =>
    sendMail({
      to: recipient.email,
      subject: `HemaLink: ${SUBJECTS[n.kind]}`,
      text: `${SUBJECTS[n.kind]}.\n\nOpen HemaLink to read it: ${url}\n`,
    }),
  );
}

export async function listNotifications(actor: Actor, limit = 50) {
  return await getDb()
    .select()
    .from(notifications)
    .where(eq(notifications.userId, actor.id))
    // The insertion order breaks ties (ids are random).
    .orderBy(desc(notifications.createdAt), desc(insertionOrder(notifications)))
    .limit(limit);
}

/**
 * Unread notifications, and how many distinct consultations they concern; those of the
 * consultation `opening` (the page being loaded, which marks them read) are not counted.
 */
export async function unreadCounts(
  actor: Actor,
  opening?: string,
): Promise<{ all: number; consultations: number }> {
  const row = (
    await getDb()
      .select({ all: count(), consultations: countDistinct(notifications.consultationId) })
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, actor.id),
          isNull(notifications.readAt),
          opening
            ? or(isNull(notifications.consultationId), ne(notifications.consultationId, opening))
            : undefined,
        ),
      )
      .limit(1)
  )[0];
  return { all: row?.all ?? 0, consultations: row?.consultations ?? 0 };
}

/** Unread counts per consultation, for an inbox. */
export async function unreadByConsultation(actor: Actor): Promise<Map<string, number>> {
  const rows = await getDb()
    .select({ id: notifications.consultationId, n: count() })
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, actor.id),
        isNull(notifications.readAt),
        isNotNull(notifications.consultationId),
      ),
    )
    .groupBy(notifications.consultationId);
  return new Map(rows.map((r) => [r.id!, r.n]));
}

/** Opening a case reads its notifications. */
export async function markConsultationRead(actor: Actor, consultationId: string): Promise<void> {
  await inTransaction(({ tx }) =>
    tx
      .update(notifications)
      .set({ readAt: new Date() })
      .where(
        and(
          eq(notifications.userId, actor.id),
          eq(notifications.consultationId, consultationId),
          isNull(notifications.readAt),
        ),
      ),
  );
}

export async function markAllRead(actor: Actor): Promise<number> {
  return (
    await inTransaction(({ tx }) =>
      tx
        .update(notifications)
        .set({ readAt: new Date() })
        .where(and(eq(notifications.userId, actor.id), isNull(notifications.readAt)))
        .returning(),
    )
  ).length;
}

const CASE_PAGE = /^\/(?:consultations|doctor\/cases)\/([0-9a-f-]{36})\/?$/;

/**
 * The navigation badges for a page load. Opening a consultation reads its notifications;
 * the page's own loader marks them read (it runs beside this one), so they are left out
 * of the count here. A read: the root loader writes nothing.
 */
export async function navigationCounts(actor: Actor, pathname: string) {
  return await unreadCounts(actor, CASE_PAGE.exec(pathname)?.[1]);
}
