/**
 * Store-and-forward consultations: a patient shares one analysis with one certified doctor
 * who offers teleconsultation. Lifecycle: requested → accepted | declined → answered →
 * closed; the patient may withdraw a request before an answer and revoke access at any
 * time. Every function takes the acting user and scopes its query; what the actor may not
 * see is a 404, a change that does not fit the current state is a 409. All audited.
 */
import { and, desc, eq, inArray, isNull, lt, ne } from "drizzle-orm";
import { getDb } from "#db/client";
import {
  analyses,
  consultations,
  doctorProfiles,
  users,
  type Consultation,
  type ConsultationStatus,
} from "#db/schema";
import { audit } from "~/audit/audit.server";
import { notFound } from "~/auth/guards.server";
import { can, type Actor } from "~/auth/permissions";
import type { AnswerInput, ShareInput } from "./validation";

export class ConsultationConflict extends Error {
  readonly status = 409;
}

export class ConsultationRefused extends Error {
  readonly status = 400;
}

const log = (actor: Actor, action: string, id: string, ip?: string, detail?: string) =>
  audit({
    actorId: actor.id,
    action,
    outcome: "success",
    targetType: "consultation",
    targetId: id,
    ip,
    detail,
  });

/** Share the patient's own analysis with a certified doctor who offers teleconsultation. */
export function shareAnalysis(
  actor: Actor,
  analysisId: string,
  input: ShareInput,
  ip?: string,
): Consultation {
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
  if (!doctor.tele) throw new ConsultationRefused("This doctor does not offer teleconsultation.");
  return db.transaction((tx) => {
    const open = tx
      .select({ id: consultations.id })
      .from(consultations)
      .where(
        and(
          eq(consultations.analysisId, analysis.id),
          eq(consultations.doctorProfileId, doctor.id),
          inArray(consultations.status, ["requested", "accepted"]),
          isNull(consultations.revokedAt),
        ),
      )
      .get();
    if (open) throw new ConsultationConflict("This case is already shared with this doctor.");
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
    log(actor, "consultation.request", row.id, ip);
    return row;
  });
}

type Side = "patient" | "doctor";

/** The consultation if the actor is its patient, or its doctor while it is shared. */
function visibleTo(actor: Actor, id: string, side: Side): Consultation | undefined {
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

/** Move a consultation from one of `from` to a new state, or 404 / 409. */
function transition(
  actor: Actor,
  id: string,
  side: Side,
  from: ConsultationStatus[],
  set: Partial<typeof consultations.$inferInsert>,
  action: string,
  ip?: string,
  detail?: string,
): Consultation {
  const current = visibleTo(actor, id, side);
  if (!current) notFound();
  if (!from.includes(current.status) || current.revokedAt) {
    throw new ConsultationConflict(
      `This consultation is ${current.status}; that is no longer possible.`,
    );
  }
  return getDb().transaction((tx) => {
    const row = tx
      .update(consultations)
      .set(set)
      .where(and(eq(consultations.id, id), inArray(consultations.status, from)))
      .returning()
      .get();
    if (!row)
      throw new ConsultationConflict("This consultation changed meanwhile; reload the page.");
    log(actor, action, id, ip, detail);
    return row;
  });
}

export const withdrawRequest = (actor: Actor, id: string, ip?: string) =>
  transition(
    actor,
    id,
    "patient",
    ["requested"],
    { status: "withdrawn", withdrawnAt: new Date() },
    "consultation.withdraw",
    ip,
  );

/** The patient ends the doctor's access (before or after an answer). */
export const revokeAccess = (actor: Actor, id: string, ip?: string) =>
  transition(
    actor,
    id,
    "patient",
    ["requested", "accepted", "declined", "answered", "closed"],
    { revokedAt: new Date() },
    "consultation.revoke",
    ip,
  );

export const closeConsultation = (actor: Actor, id: string, ip?: string) =>
  transition(
    actor,
    id,
    "patient",
    ["answered"],
    { status: "closed", closedAt: new Date() },
    "consultation.close",
    ip,
  );

export const acceptRequest = (actor: Actor, id: string, ip?: string) =>
  transition(
    actor,
    id,
    "doctor",
    ["requested"],
    { status: "accepted", acceptedAt: new Date() },
    "consultation.accept",
    ip,
  );

export const declineRequest = (actor: Actor, id: string, reason: string, ip?: string) =>
  transition(
    actor,
    id,
    "doctor",
    ["requested"],
    { status: "declined", declinedAt: new Date(), declineReason: reason },
    "consultation.decline",
    ip,
  );

/** The doctor's assessment: confirm or correct the model, recommendations, urgency. */
export const answerConsultation = (actor: Actor, id: string, input: AnswerInput, ip?: string) =>
  transition(
    actor,
    id,
    "doctor",
    ["accepted"],
    {
      status: "answered",
      answeredAt: new Date(),
      doctorClass: input.doctorClass,
      recommendations: input.recommendations,
      urgency: input.urgency,
    },
    "consultation.answer",
    ip,
  );

/** A case as the doctor sees it (only while shared); every view is audited. */
export function getCaseForDoctor(actor: Actor, id: string, ip?: string) {
  const consultation = visibleTo(actor, id, "doctor");
  if (!consultation) notFound();
  const analysis = getDb()
    .select()
    .from(analyses)
    .where(eq(analyses.id, consultation.analysisId))
    .get();
  if (!analysis) notFound();
  log(actor, "consultation.read", id, ip);
  return { consultation, analysis };
}

/** The doctor's inbox: shared cases, newest first. */
export function listDoctorCases(actor: Actor) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  return getDb()
    .select({ c: consultations, patientName: users.displayName })
    .from(consultations)
    .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
    .innerJoin(users, eq(users.id, consultations.patientId))
    .where(
      and(
        eq(doctorProfiles.userId, actor.id),
        isNull(consultations.revokedAt),
        ne(consultations.status, "withdrawn"),
      ),
    )
    .orderBy(desc(consultations.requestedAt))
    .all()
    .map((r) => ({ ...r.c, patientName: r.patientName }));
}

/** The patient's consultations (optionally for one analysis), newest first. */
export function listOwnConsultations(actor: Actor, analysisId?: string) {
  if (!can(actor, { type: "patient:access" })) notFound();
  return getDb()
    .select({ c: consultations, doctorName: users.displayName })
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
    .map((r) => ({ ...r.c, doctorName: r.doctorName }));
}

/** Close answered consultations older than `days` (run by a scheduler). Returns how many. */
export function autoCloseAnswered(days: number, now = new Date()): number {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const closed = getDb()
    .update(consultations)
    .set({ status: "closed", closedAt: now })
    .where(and(eq(consultations.status, "answered"), lt(consultations.answeredAt, cutoff)))
    .returning({ id: consultations.id })
    .all();
  for (const { id } of closed) {
    audit({
      actorId: null,
      action: "consultation.auto-close",
      outcome: "success",
      targetType: "consultation",
      targetId: id,
    });
  }
  return closed.length;
}
