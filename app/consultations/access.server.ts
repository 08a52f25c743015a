/**
 * Who sees a consultation: its patient always; its doctor only while it is shared (not
 * withdrawn, not revoked) and while the doctor's profile is certified. A doctor whose profile
 * goes back to verification, is suspended or rejected sees none of their cases until it is
 * certified again (docs/decisions/037). Every other module asks here; what the actor may not
 * see is undefined, which the callers turn into a 404.
 */
import { and, eq, inArray, isNull, ne, sql, type SQL } from "drizzle-orm";
import { getDb } from "#db/client";
import { consultations, doctorProfiles, notifications, type Consultation } from "#db/schema";
import { can, type Actor } from "~/auth/permissions";
import type { UnitOfWork } from "~/data/unit-of-work.server";
import { notify } from "~/notifications/notifications.server";
import { ANONYMOUS_NOTICE_TEXT, accessNotice } from "./notices.server";
import { isLive } from "./vocabulary";

export type Side = "patient" | "doctor";

/** Shared with its doctor: neither withdrawn nor revoked (the doctor's certification aside). */
export const sharedWithDoctor = (): SQL =>
  and(isNull(consultations.revokedAt), ne(consultations.status, "withdrawn"))!;

/** The condition under which the doctor of `doctorProfiles` sees a consultation. */
export const doctorSees = (doctorUserId: string): SQL =>
  and(
    eq(doctorProfiles.userId, doctorUserId),
    eq(doctorProfiles.status, "verified"),
    sharedWithDoctor(),
  )!;

/** The consultation if the actor is its patient, or its certified doctor while it is shared. */
export async function visibleTo(
  actor: Actor,
  id: string,
  side: Side,
): Promise<Consultation | undefined> {
  const db = getDb();
  if (side === "patient") {
    if (!can(actor, { type: "patient:access" })) return undefined;
    return (
      await db
        .select()
        .from(consultations)
        .where(and(eq(consultations.id, id), eq(consultations.patientId, actor.id)))
        .limit(1)
    )[0];
  }
  if (!can(actor, { type: "doctor:access" })) return undefined;
  const row = (
    await db
      .select({ c: consultations })
      .from(consultations)
      .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
      .where(and(eq(consultations.id, id), doctorSees(actor.id)))
      .limit(1)
  )[0];
  return row?.c;
}

/**
 * The doctor's notifications about these consultations no longer name the patient nor link
 * to a case they cannot open (a revoked or withdrawn case, or a doctor no longer certified);
 * they are marked read, so no badge points to a case that cannot be opened.
 */
export async function redactDoctorNotifications(
  uow: UnitOfWork,
  doctorUserId: string,
  consultationIds: string[],
) {
  if (!doctorUserId || consultationIds.length === 0) return;
  const rows = await uow.tx
    .select({ id: notifications.id, kind: notifications.kind })
    .from(notifications)
    .where(
      and(
        eq(notifications.userId, doctorUserId),
        inArray(notifications.consultationId, consultationIds),
      ),
    );
  for (const row of rows) {
    await uow.tx
      .update(notifications)
      .set({
        text: ANONYMOUS_NOTICE_TEXT[row.kind],
        link: null,
        // The parameter encoded as the column is (ms or a timestamp, by engine).
        readAt: sql`coalesce(${notifications.readAt}, ${sql.param(new Date(), notifications.readAt)})`,
      })
      .where(eq(notifications.id, row.id));
  }
}

/** The consultations of a profile its doctor would see if certified, and the live ones. */
async function sharedCasesOf(uow: UnitOfWork, profileId: string) {
  return await uow.tx
    .select()
    .from(consultations)
    .where(and(eq(consultations.doctorProfileId, profileId), sharedWithDoctor()));
}

/**
 * A certified profile stops being certified (back to verification, suspended, rejected), in
 * the unit of work that changes its status: each patient whose case is still live (requested,
 * accepted, answered) is told the doctor can no longer see it, and the doctor's notifications
 * about all their cases stop naming the patients.
 */
export async function endDoctorAccess(uow: UnitOfWork, profileId: string, doctorUserId: string) {
  const cases = await sharedCasesOf(uow, profileId);
  for (const c of cases) {
    if (isLive(c.status)) {
      await notify(uow, await accessNotice(uow.tx, "lost", c));
    }
  }
  await redactDoctorNotifications(
    uow,
    doctorUserId,
    cases.map((c) => c.id),
  );
}

/**
 * The profile is certified again: the cases its patients did not revoke or withdraw meanwhile
 * are visible to the doctor again (visibleTo follows the status), and each patient of a live
 * case is told, with the way to end the access on the consultation page.
 */
export async function restoreDoctorAccess(uow: UnitOfWork, profileId: string) {
  for (const c of await sharedCasesOf(uow, profileId)) {
    if (isLive(c.status)) {
      await notify(uow, await accessNotice(uow.tx, "restored", c));
    }
  }
}
