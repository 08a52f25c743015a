/**
 * What each consultation step tells the other side: the in-app notification's words and
 * link. The notification itself (and its e-mail after the commit) is sent by
 * `notifications.server.ts` on the step's unit of work.
 */
import { eq } from "drizzle-orm";
import { doctorProfiles, users, type Consultation } from "#db/schema";
import type { Executor } from "~/data/unit-of-work.server";
import { doctorName } from "~/doctors/vocabulary";
import type { NewNotification } from "~/notifications/notifications.server";

export const patientLink = (id: string) => `/consultations/${id}`;
export const doctorLink = (id: string) => `/doctor/cases/${id}`;

export type Parties = {
  patientId: string;
  patientName: string;
  doctorUserId: string;
  doctorName: string;
};

/** Who is on each side of a consultation, read inside the step's transaction. */
export function partiesOf(db: Executor, c: Pick<Consultation, "patientId" | "doctorProfileId">) {
  const patient = db
    .select({ name: users.displayName })
    .from(users)
    .where(eq(users.id, c.patientId))
    .get();
  const doctor = db
    .select({ userId: doctorProfiles.userId, name: users.displayName, title: doctorProfiles.title })
    .from(doctorProfiles)
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(eq(doctorProfiles.id, c.doctorProfileId))
    .get();
  return {
    patientId: c.patientId,
    patientName: patient?.name ?? "A patient",
    doctorUserId: doctor?.userId ?? "",
    doctorName: doctor ? doctorName(doctor.title, doctor.name) : "The doctor",
  } satisfies Parties;
}

export type Notice = { userId: string } & NewNotification;
type Step = "request" | "withdraw" | "revoke" | "close" | "accept" | "decline" | "answer";

const NOTICES: Record<Step, (row: Consultation, p: Parties) => Notice> = {
  request: (row, p) => ({
    userId: p.doctorUserId,
    kind: "consultation.requested",
    text: `${p.patientName} shared a case with you.`,
    link: doctorLink(row.id),
  }),
  withdraw: (_, p) => ({
    userId: p.doctorUserId,
    kind: "consultation.withdrawn",
    text: `${p.patientName} withdrew a consultation request.`,
    link: null,
  }),
  revoke: (_, p) => ({
    userId: p.doctorUserId,
    kind: "consultation.revoked",
    text: `${p.patientName} ended your access to a shared case.`,
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
export function noticeOf(db: Executor, step: Step, row: Consultation): Notice {
  return { ...NOTICES[step](row, partiesOf(db, row)), consultationId: row.id };
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
