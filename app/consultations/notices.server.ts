/**
 * What each consultation step tells the other side: the in-app notification's words and
 * link. The notification itself (and its e-mail after the commit) is sent by
 * `notifications.server.ts` on the step's unit of work.
 */
import { eq } from "drizzle-orm";
import { doctorProfiles, users, type Consultation } from "#db/schema";
import type { Executor } from "~/data/unit-of-work.server";
import { doctorName, isCertified } from "~/doctors/vocabulary";
import type { NewNotification } from "~/notifications/notifications.server";
import type { NotificationKind } from "~/notifications/vocabulary";

export const patientLink = (id: string) => `/consultations/${id}`;
export const doctorLink = (id: string) => `/doctor/cases/${id}`;

export type Parties = {
  patientId: string;
  patientName: string;
  doctorUserId: string;
  doctorName: string;
  /** Whether the doctor sees the case now (a notice to a doctor who does not names no one). */
  doctorCertified: boolean;
};

/**
 * The doctor of a profile, named the one way doctors are named, whether certified now, and
 * the licence number a clinic record prints.
 */
export async function doctorOfProfile(db: Executor, profileId: string) {
  const row = (
    await db
      .select({
        id: doctorProfiles.id,
        userId: doctorProfiles.userId,
        name: users.displayName,
        title: doctorProfiles.title,
        status: doctorProfiles.status,
        licenceNumber: doctorProfiles.licenceNumber,
      })
      .from(doctorProfiles)
      .innerJoin(users, eq(users.id, doctorProfiles.userId))
      .where(eq(doctorProfiles.id, profileId))
      .limit(1)
  )[0];
  return (
    row && {
      id: row.id,
      userId: row.userId,
      name: doctorName(row.title, row.name),
      certified: isCertified(row.status),
      licenceNumber: row.licenceNumber,
    }
  );
}

/** Who is on each side of a consultation, read inside the step's transaction. */
export async function partiesOf(
  db: Executor,
  c: Pick<Consultation, "patientId" | "doctorProfileId">,
) {
  const patient = (
    await db
      .select({ name: users.displayName })
      .from(users)
      .where(eq(users.id, c.patientId))
      .limit(1)
  )[0];
  const doctor = await doctorOfProfile(db, c.doctorProfileId);
  return {
    patientId: c.patientId,
    patientName: patient?.name ?? "A patient",
    doctorUserId: doctor?.userId ?? "",
    doctorName: doctor?.name ?? "The doctor",
    doctorCertified: doctor?.certified ?? false,
  } satisfies Parties;
}

export type Notice = { userId: string } & NewNotification;

/**
 * A doctor's notification once they can no longer open the case (revoked, withdrawn, or their
 * profile is no longer certified): the same news without the patient's name.
 */
export const ANONYMOUS_NOTICE_TEXT: Record<NotificationKind, string> = {
  "consultation.requested": "A patient shared a case with you.",
  "consultation.accepted": "A consultation request was accepted.",
  "consultation.declined": "A consultation request was declined.",
  "consultation.answered": "A consultation was answered.",
  "consultation.withdrawn": "A patient withdrew a consultation request.",
  "consultation.revoked": "A patient ended your access to a shared case.",
  "consultation.closed": "A patient closed a consultation.",
  "consultation.message": "A patient sent a message on a shared case.",
  "consultation.access-lost": "A hematologist can no longer see a case.",
  "consultation.access-restored": "A hematologist can see a case again.",
};
type Step = "request" | "withdraw" | "revoke" | "close" | "accept" | "decline" | "answer";

const NOTICES: Record<Step, (row: Consultation, p: Parties) => Notice> = {
  request: (row, p) => ({
    userId: p.doctorUserId,
    kind: "consultation.requested",
    text: `${p.patientName} shared a case with you.`,
    link: doctorLink(row.id),
  }),
  // Access has ended with these two: the doctor's notice names no patient.
  withdraw: (_, p) => ({
    userId: p.doctorUserId,
    kind: "consultation.withdrawn",
    text: ANONYMOUS_NOTICE_TEXT["consultation.withdrawn"],
    link: null,
  }),
  revoke: (_, p) => ({
    userId: p.doctorUserId,
    kind: "consultation.revoked",
    text: ANONYMOUS_NOTICE_TEXT["consultation.revoked"],
    link: null,
  }),
  close: (row, p) => ({
    userId: p.doctorUserId,
    kind: "consultation.closed",
    text: `${p.patientName} closed the consultation.`,
    link: doctorLink(row.id),
  }),
  accept: (row, p) => ({
    userId: p.patientId,
    kind: "consultation.accepted",
    text: `${p.doctorName} accepted your consultation request.`,
    link: patientLink(row.id),
  }),
  decline: (row, p) => ({
    userId: p.patientId,
    kind: "consultation.declined",
    text: `${p.doctorName} declined your consultation request.`,
    link: patientLink(row.id),
  }),
  answer: (row, p) => ({
    userId: p.patientId,
    kind: "consultation.answered",
    text: `${p.doctorName} answered your consultation.`,
    link: patientLink(row.id),
  }),
};

/** The notice of `step` for the other side of `row`. */
export async function noticeOf(db: Executor, step: Step, row: Consultation): Promise<Notice> {
  const parties = await partiesOf(db, row);
  const notice = NOTICES[step](row, parties);
  // A patient closing the case of a doctor whose certification lapsed: the doctor is told
  // without the patient's name or a link to a case they cannot open.
  if (notice.userId === parties.doctorUserId && !parties.doctorCertified) {
    return {
      ...notice,
      text: ANONYMOUS_NOTICE_TEXT[notice.kind],
      link: null,
      consultationId: row.id,
    };
  }
  return { ...notice, consultationId: row.id };
}

/**
 * The patient's notice when the doctor's certification lapses (their access with it) or is
 * confirmed again (their access to the cases the patient did not revoke returns).
 */
export async function accessNotice(
  db: Executor,
  change: "lost" | "restored",
  row: Consultation,
): Promise<Notice> {
  const p = await partiesOf(db, row);
  return {
    userId: p.patientId,
    kind: change === "lost" ? "consultation.access-lost" : "consultation.access-restored",
    text:
      change === "lost"
        ? `${p.doctorName} can no longer see your case: their certification is not confirmed at the moment. You can share it with another hematologist.`
        : `${p.doctorName}'s certification is confirmed again: they can see your case again. You can still end their access.`,
    link: patientLink(row.id),
    consultationId: row.id,
  };
}

/** The patient's notice when the app closes an answered consultation by itself. */
export const autoClosedNotice = (row: Consultation, days: number): Notice => ({
  userId: row.patientId,
  kind: "consultation.closed",
  text: `Your consultation was closed automatically ${days} days after the answer.`,
  link: patientLink(row.id),
  consultationId: row.id,
});

export type { Step as ConsultationStep };
