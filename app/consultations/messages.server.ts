/**
 * The message thread of a consultation. The patient reads it always; the doctor only while
 * the case is shared with them. Posting is open while the consultation is live (requested,
 * accepted, answered) and not revoked. Bodies are plain text, rendered as text.
 */
import { asc, eq } from "drizzle-orm";
import { insertionOrder } from "~/data/sql-dialect.server";
import { getDb } from "#db/client";
import { consultationMessages, doctorProfiles, users } from "#db/schema";
import { isLive, type ConsultationStatus } from "./vocabulary";
import { auditSuccess } from "~/audit/audit.server";
import { conflict, notFound } from "~/errors/domain-error";
import type { Actor } from "~/auth/permissions";
import { notify } from "~/notifications/notifications.server";
import { visibleTo } from "./access.server";
import { doctorLink, patientLink } from "./notices.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { isCertified } from "~/doctors/vocabulary";

async function consultationFor(actor: Actor, id: string) {
  const side = actor.role === "doctor" ? "doctor" : "patient";
  const consultation = await visibleTo(actor, id, side);
  return consultation ? { consultation, side } : notFound();
}

/** A doctor's own clinic record has no thread: there is no request to talk about (decision 061). */
export function canPostMessages(c: {
  status: ConsultationStatus;
  revokedAt: Date | null;
  clinicPatientId?: string | null;
}) {
  return isLive(c.status) && !c.revokedAt && !c.clinicPatientId;
}

export async function listMessages(actor: Actor, consultationId: string) {
  await consultationFor(actor, consultationId);
  return (
    (
      await getDb()
        .select({
          id: consultationMessages.id,
          body: consultationMessages.body,
          createdAt: consultationMessages.createdAt,
          authorId: consultationMessages.authorId,
          authorName: users.displayName,
        })
        .from(consultationMessages)
        .innerJoin(users, eq(users.id, consultationMessages.authorId))
        .where(eq(consultationMessages.consultationId, consultationId))
        // The insertion order breaks ties (ids are random).
        .orderBy(asc(consultationMessages.createdAt), insertionOrder(consultationMessages))
    ).map((m) => ({ ...m, mine: m.authorId === actor.id }))
  );
}

export async function postMessage(actor: Actor, consultationId: string, body: string) {
  const { consultation, side } = await consultationFor(actor, consultationId);
  if (!canPostMessages(consultation)) {
    throw conflict(`This consultation is ${consultation.status}; messages are closed.`);
  }
  // The doctor's side is certified (visibleTo); the patient does not write to a doctor who
  // cannot read the case.
  if (side === "patient" && !(await doctorCertified(consultation.doctorProfileId))) {
    throw conflict(
      "The doctor can no longer see this case, so messages are closed. You can share it with another hematologist.",
    );
  }
  return await inTransaction(async (uow) => {
    const row = (
      await uow.tx
        .insert(consultationMessages)
        .values({ consultationId, authorId: actor.id, body })
        .returning()
    )[0];
    await auditSuccess(
      actor,
      "consultation.message",
      { targetType: "consultation", targetId: consultationId },
      uow.tx,
    );
    const to =
      side === "patient"
        ? {
            userId: await doctorUserOf(consultation.doctorProfileId),
            link: doctorLink(consultationId),
          }
        : { userId: consultation.patientId, link: patientLink(consultationId) };
    if (to.userId) {
      const author = (
        await uow.tx
          .select({ name: users.displayName })
          .from(users)
          .where(eq(users.id, actor.id))
          .limit(1)
      )[0];
      await notify(uow, {
        userId: to.userId,
        kind: "consultation.message",
        text: `New message from ${author?.name ?? "the other side"}.`,
        link: to.link,
        consultationId,
      });
    }
    return row;
  });
}

/** Whether the doctor of a profile is certified (and so sees the cases shared with them). */
export async function doctorCertified(doctorProfileId: string): Promise<boolean> {
  const row = (
    await getDb()
      .select({ status: doctorProfiles.status })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.id, doctorProfileId))
      .limit(1)
  )[0];
  return Boolean(row && isCertified(row.status));
}

async function doctorUserOf(doctorProfileId: string): Promise<string | undefined> {
  return (
    await getDb()
      .select({ userId: doctorProfiles.userId })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.id, doctorProfileId))
      .limit(1)
  )[0]?.userId;
}
