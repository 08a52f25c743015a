/**
 * Store-and-forward consultations: a patient shares one analysis with one certified doctor
 * who offers teleconsultation. Lifecycle: requested → accepted | declined → answered →
 * closed; the patient may withdraw a request before an answer and revoke access at any
 * time. Every function takes the acting user and scopes its query; what the actor may not
 * see is a 404, a change that does not fit the current state is a 409. All audited.
 */
import { and, desc, eq, inArray, isNull, lt, ne } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, consultations, doctorProfiles, users, type Consultation } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { conflict, invalid, notFound } from "~/errors/domain-error";
import { can, type Actor } from "~/auth/permissions";
import { getEnv } from "~/env.server";
import { notify, type NewNotification } from "~/notifications/notifications.server";
import { doctorName } from "~/doctors/vocabulary";
import { OPEN_STATUSES, type ConsultationStatus } from "./vocabulary";
import { getImageStore, IMAGE_FILES, type ImageFile } from "~/uploads/storage.server";
import type { AnswerInput, ShareInput } from "./validation";

const log = (actor: Actor, action: string, id: string, detail?: string) =>
  audit({
    actorId: actor.id,
    action,
    outcome: "success",
    targetType: "consultation",
    targetId: id,
    detail,
  });

/** Share the patient's own analysis with a certified doctor who offers teleconsultation. */
export function shareAnalysis(actor: Actor, analysisId: string, input: ShareInput): Consultation {
  if (!can(actor, { type: "patient:access" })) notFound();
  const db = getDb();
  const analysis = db
    .select({ id: analyses.id, ageBracket: analyses.ageBracket })
    .from(analyses)
    .where(and(eq(analyses.id, analysisId), eq(analyses.patientId, actor.id)))
    .get();
  if (!analysis) notFound();
  const doctor = db
    .select({ id: doctorProfiles.id, tele: doctorProfiles.offersTeleconsultation })
    .from(doctorProfiles)
    .where(and(eq(doctorProfiles.id, input.doctorProfileId), eq(doctorProfiles.status, "verified")))
    .get();
  if (!doctor) notFound();
  if (!doctor.tele) throw invalid("This doctor does not offer teleconsultation.");
  return db.transaction((tx) => {
    const open = tx
      .select({ id: consultations.id })
      .from(consultations)
      .where(
        and(
          eq(consultations.analysisId, analysis.id),
          eq(consultations.doctorProfileId, doctor.id),
          inArray(consultations.status, OPEN_STATUSES),
          isNull(consultations.revokedAt),
        ),
      )
      .get();
    if (open) throw conflict("This case is already shared with this doctor.");
    const row = tx
      .insert(consultations)
      .values({
        analysisId: analysis.id,
        patientId: actor.id,
        doctorProfileId: doctor.id,
        message: input.message,
        ageBracket: input.ageBracket ?? analysis.ageBracket ?? null,
        consentAt: new Date(),
      })
      .returning()
      .get();
    log(actor, "consultation.request", row.id);
    const p = partiesOf(row);
    notify(p.doctorUserId, {
      kind: "consultation.requested",
      text: `${p.patientName} shared a case with you.`,
      link: doctorLink(row.id),
      consultationId: row.id,
    });
    return row;
  });
}

type Side = "patient" | "doctor";

/** The consultation if the actor is its patient, or its doctor while it is shared. */
export function visibleTo(actor: Actor, id: string, side: Side): Consultation | undefined {
  const db = getDb();
  if (side === "patient") {
    if (!can(actor, { type: "patient:access" })) return undefined;
    return db
      .select()
      .from(consultations)
      .where(and(eq(consultations.id, id), eq(consultations.patientId, actor.id)))
      .get();
  }
  if (!can(actor, { type: "doctor:access" })) return undefined;
  const row = db
    .select({ c: consultations })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .where(
      and(
        eq(consultations.id, id),
        eq(doctorProfiles.userId, actor.id),
        isNull(consultations.revokedAt),
        ne(consultations.status, "withdrawn"),
      ),
    )
    .get();
  return row?.c;
}

type Parties = { patientId: string; patientName: string; doctorUserId: string; doctorName: string };

/** Who is on each side of a consultation (for notifications). */
function partiesOf(c: Consultation): Parties {
  const db = getDb();
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
  };
}

export const patientLink = (id: string) => `/consultations/${id}`;
export const doctorLink = (id: string) => `/doctor/cases/${id}`;

type Step = {
  side: Side;
  from: ConsultationStatus[];
  set: Partial<typeof consultations.$inferInsert>;
  action: string;
  /** The notification this step sends to the other side. */
  announce: (row: Consultation, p: Parties) => { userId: string } & NewNotification;
};

/** Move a consultation from one of `step.from` to a new state, or 404 / 409. */
function transition(actor: Actor, id: string, step: Step): Consultation {
  const current = visibleTo(actor, id, step.side);
  if (!current) notFound();
  if (!step.from.includes(current.status) || current.revokedAt) {
    throw conflict(
      `This consultation is ${current.status}${current.revokedAt ? " and revoked" : ""}; that is no longer possible.`,
    );
  }
  return getDb().transaction((tx) => {
    const row = tx
      .update(consultations)
      .set(step.set)
      .where(
        and(
          eq(consultations.id, id),
          inArray(consultations.status, step.from),
          isNull(consultations.revokedAt),
        ),
      )
      .returning()
      .get();
    if (!row) throw conflict("This consultation changed meanwhile; reload the page.");
    log(actor, step.action, id);
    const { userId, ...notification } = step.announce(row, partiesOf(row));
    if (userId) notify(userId, { ...notification, consultationId: id });
    return row;
  });
}

export const withdrawRequest = (actor: Actor, id: string) =>
  transition(actor, id, {
    side: "patient",
    from: ["requested"],
    set: { status: "withdrawn", withdrawnAt: new Date() },
    action: "consultation.withdraw",
    announce: (_, p) => ({
      userId: p.doctorUserId,
      kind: "consultation.withdrawn",
      text: `${p.patientName} withdrew a consultation request.`,
      link: null,
    }),
  });

/** The patient ends the doctor's access (before or after an answer). */
export const revokeAccess = (actor: Actor, id: string) =>
  transition(actor, id, {
    side: "patient",
    from: ["requested", "accepted", "declined", "answered", "closed"],
    set: { revokedAt: new Date() },
    action: "consultation.revoke",
    announce: (_, p) => ({
      userId: p.doctorUserId,
      kind: "consultation.revoked",
      text: `${p.patientName} ended your access to a shared case.`,
      link: null,
    }),
  });

export const closeConsultation = (actor: Actor, id: string) =>
  transition(actor, id, {
    side: "patient",
    from: ["answered"],
    set: { status: "closed", closedAt: new Date() },
    action: "consultation.close",
    announce: (row, p) => ({
      userId: p.doctorUserId,
      kind: "consultation.closed",
      text: `${p.patientName} closed the consultation.`,
      link: doctorLink(row.id),
    }),
  });

export const acceptRequest = (actor: Actor, id: string) =>
  transition(actor, id, {
    side: "doctor",
    from: ["requested"],
    set: { status: "accepted", acceptedAt: new Date() },
    action: "consultation.accept",
    announce: (row, p) => ({
      userId: p.patientId,
      kind: "consultation.accepted",
      text: `${p.doctorName} accepted your consultation request.`,
      link: patientLink(row.id),
    }),
  });

export const declineRequest = (actor: Actor, id: string, reason: string) =>
  transition(actor, id, {
    side: "doctor",
    from: ["requested"],
    set: { status: "declined", declinedAt: new Date(), declineReason: reason },
    action: "consultation.decline",
    announce: (row, p) => ({
      userId: p.patientId,
      kind: "consultation.declined",
      text: `${p.doctorName} declined your consultation request.`,
      link: patientLink(row.id),
    }),
  });

/** The doctor's assessment: confirm or correct the model, recommendations, urgency. */
export const answerConsultation = (actor: Actor, id: string, input: AnswerInput) =>
  transition(actor, id, {
    side: "doctor",
    from: ["accepted"],
    set: {
      status: "answered",
      answeredAt: new Date(),
      doctorClass: input.doctorClass,
      recommendations: input.recommendations,
      urgency: input.urgency,
    },
    action: "consultation.answer",
    announce: (row, p) => ({
      userId: p.patientId,
      kind: "consultation.answered",
      text: `${p.doctorName} answered your consultation.`,
      link: patientLink(row.id),
    }),
  });

/** A case as the doctor sees it (only while shared); every view is audited. */
export function getCaseForDoctor(actor: Actor, id: string) {
  const consultation = visibleTo(actor, id, "doctor");
  if (!consultation) notFound();
  const analysis = getDb()
    .select()
    .from(analyses)
    .where(eq(analyses.id, consultation.analysisId))
    .get();
  if (!analysis) notFound();
  const me = getDb()
    .select({ name: users.displayName, title: doctorProfiles.title })
    .from(doctorProfiles)
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(eq(doctorProfiles.id, consultation.doctorProfileId))
    .get();
  log(actor, "consultation.read", id);
  return { consultation, analysis, doctorName: doctorName(me?.title, me?.name ?? "") };
}

/** One stored image of a case, for its doctor while it is shared; audited like every read. */
export async function readCaseImage(actor: Actor, id: string, file: ImageFile) {
  const consultation = visibleTo(actor, id, "doctor");
  if (!consultation) notFound();
  const analysis = getDb()
    .select({ imageKey: analyses.imageKey })
    .from(analyses)
    .where(eq(analyses.id, consultation.analysisId))
    .get();
  const bytes = analysis && (await getImageStore().get(analysis.imageKey, file));
  if (!bytes) notFound();
  log(actor, `consultation.image.${file}`, id);
  return { bytes, contentType: IMAGE_FILES[file].contentType };
}

/** The patient's own consultation with its doctor and analysis; audited. */
export function getOwnConsultation(actor: Actor, id: string) {
  const consultation = visibleTo(actor, id, "patient");
  if (!consultation) notFound();
  const db = getDb();
  const analysis = db.select().from(analyses).where(eq(analyses.id, consultation.analysisId)).get();
  if (!analysis) notFound();
  const doctor = db
    .select({ id: doctorProfiles.id, name: users.displayName, title: doctorProfiles.title })
    .from(doctorProfiles)
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(eq(doctorProfiles.id, consultation.doctorProfileId))
    .get();
  if (!doctor) notFound();
  log(actor, "consultation.read", id);
  return {
    consultation,
    analysis,
    doctor: { id: doctor.id, name: doctorName(doctor.title, doctor.name) },
  };
}

/** The doctor's inbox: shared cases, newest first (the view is audited: it names patients). */
export function listDoctorCases(actor: Actor) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  audit({ actorId: actor.id, action: "consultation.list", outcome: "success" });
  return getDb()
    .select({
      c: consultations,
      patientName: users.displayName,
      modelClass: analyses.topClass,
      modelVerdict: analyses.verdict,
    })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .innerJoin(users, eq(users.id, consultations.patientId))
    .innerJoin(analyses, eq(analyses.id, consultations.analysisId))
    .where(
      and(
        eq(doctorProfiles.userId, actor.id),
        isNull(consultations.revokedAt),
        ne(consultations.status, "withdrawn"),
      ),
    )
    .orderBy(desc(consultations.requestedAt))
    .all()
    .map((r) => ({
      ...r.c,
      patientName: r.patientName,
      modelClass: r.modelClass,
      modelVerdict: r.modelVerdict,
    }));
}

/** The patient's consultations (optionally for one analysis), newest first. */
export function listOwnConsultations(actor: Actor, analysisId?: string) {
  if (!can(actor, { type: "patient:access" })) notFound();
  return getDb()
    .select({ c: consultations, name: users.displayName, title: doctorProfiles.title })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(
      and(
        eq(consultations.patientId, actor.id),
        analysisId ? eq(consultations.analysisId, analysisId) : undefined,
      ),
    )
    .orderBy(desc(consultations.requestedAt))
    .all()
    .map((r) => ({ ...r.c, doctorName: doctorName(r.title, r.name) }));
}

/** Close answered consultations older than `days`. Returns how many. */
export function autoCloseAnswered(days: number, now = new Date()): number {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  return getDb().transaction((tx) => {
    const closed = tx
      .update(consultations)
      .set({ status: "closed", closedAt: now })
      .where(and(eq(consultations.status, "answered"), lt(consultations.answeredAt, cutoff)))
      .returning()
      .all();
    for (const row of closed) {
      audit({
        actorId: null,
        action: "consultation.auto-close",
        outcome: "success",
        targetType: "consultation",
        targetId: row.id,
      });
      notify(row.patientId, {
        kind: "consultation.closed",
        text: `Your consultation was closed automatically ${days} days after the answer.`,
        link: patientLink(row.id),
        consultationId: row.id,
      });
    }
    return closed.length;
  });
}

let lastAutoClose = 0;

/**
 * Serverless has no scheduler: the consultation pages call this, and at most once a
 * minute per instance it closes what is due (the update is idempotent across instances).
 */
export function autoCloseDue(now = Date.now()): void {
  if (now - lastAutoClose < 60_000) return;
  lastAutoClose = now;
  autoCloseAnswered(getEnv().CONSULTATION_AUTO_CLOSE_DAYS, new Date(now));
}
