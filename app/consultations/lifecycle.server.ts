/**
 * The lifecycle rules of a store-and-forward consultation: a patient shares one analysis
 * with one certified doctor who offers teleconsultation. requested → accepted | declined
 * → answered → closed; the patient may withdraw a request before an answer and revoke
 * access at any time. What the actor may not see is not-found, a step that does not fit
 * the current state is a conflict. Each step is one unit of work: the row, its audit entry
 * and the other side's notification commit together, and the e-mail follows the commit.
 */
import { and, eq, inArray, isNull, ne } from "drizzle-orm";
import { getDb } from "#db/client";
import {
  analyses,
  clinicPatients,
  consultations,
  doctorProfiles,
  reviews,
  type Consultation,
} from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { inTransaction, type Executor } from "~/data/unit-of-work.server";
import { conflict, invalid, notFound } from "~/errors/domain-error";
import { notify } from "~/notifications/notifications.server";
import { isCertified } from "~/doctors/vocabulary";
import { refreshReplyTime } from "~/doctors/reply-time.server";
import { redactDoctorNotifications, visibleTo, type Side } from "./access.server";
import { noticeOf, partiesOf, type ConsultationStep } from "./notices.server";
import type { AnswerInput, ShareInput } from "./validation";
import { OPEN_STATUSES, type ConsultationStatus } from "./vocabulary";

/** The audit entry of a consultation step or read, written where `db` writes. */
export const auditConsultation = (actor: Actor, action: string, id: string, db?: Executor) =>
  auditSuccess(actor, action, { targetType: "consultation", targetId: id }, db);

/** Share the patient's own analysis with a certified doctor who offers teleconsultation. */
export async function shareAnalysis(
  actor: Actor,
  analysisId: string,
  input: ShareInput,
): Promise<Consultation> {
  if (!can(actor, { type: "patient:access" })) notFound();
  const db = getDb();
  const analysis = (
    await db
      .select({ id: analyses.id, ageBracket: analyses.ageBracket })
      .from(analyses)
      .where(and(eq(analyses.id, analysisId), eq(analyses.patientId, actor.id)))
      .limit(1)
  )[0];
  if (!analysis) notFound();
  const doctor = (
    await db
      .select({
        id: doctorProfiles.id,
        status: doctorProfiles.status,
        tele: doctorProfiles.offersTeleconsultation,
        accepting: doctorProfiles.acceptsNewPatients,
      })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.id, input.doctorProfileId))
      .limit(1)
  )[0];
  // A profile that is not certified (or does not exist: the same answer) gets no new case.
  if (!doctor || !isCertified(doctor.status)) {
    throw invalid(
      "This hematologist cannot receive cases at the moment. Choose another one in the doctor finder.",
    );
  }
  if (!doctor.tele) throw invalid("This doctor does not offer teleconsultation.");
  if (!doctor.accepting && !(await isReturningPatient(actor, doctor.id))) {
    throw invalid(
      "This hematologist is not accepting new patients. Choose another one in the doctor finder.",
    );
  }
  return await inTransaction(async (uow) => {
    const open = (
      await uow.tx
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
        .limit(1)
    )[0];
    if (open) throw conflict("This case is already shared with this doctor.");
    const row = (
      await uow.tx
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
    )[0];
    await auditConsultation(actor, "consultation.request", row.id, uow.tx);
    await notify(uow, await noticeOf(uow.tx, "request", row));
    return row;
  });
}

/** The patient has shared a case with this doctor before (not a new patient for them). */
export async function isReturningPatient(actor: Actor, doctorProfileId: string) {
  const earlier = (
    await getDb()
      .select({ id: consultations.id })
      .from(consultations)
      .where(
        and(
          eq(consultations.patientId, actor.id),
          eq(consultations.doctorProfileId, doctorProfileId),
          ne(consultations.status, "withdrawn"),
        ),
      )
      .limit(1)
  )[0];
  return Boolean(earlier);
}

type Transition = {
  step: ConsultationStep;
  side: Side;
  from: ConsultationStatus[];
  set: Partial<typeof consultations.$inferInsert>;
};

/** Move a consultation from one of `from` to a new state, or not-found / conflict. */
async function transition(actor: Actor, id: string, { step, side, from, set }: Transition) {
  const current = await visibleTo(actor, id, side);
  if (!current) notFound();
  if (!from.includes(current.status) || current.revokedAt) {
    throw conflict(
      `This consultation is ${current.status}${current.revokedAt ? " and revoked" : ""}; that is no longer possible.`,
    );
  }
  return await inTransaction(async (uow) => {
    const row = (
      await uow.tx
        .update(consultations)
        .set(set)
        .where(
          and(
            eq(consultations.id, id),
            inArray(consultations.status, from),
            isNull(consultations.revokedAt),
          ),
        )
        .returning()
    )[0];
    if (!row) throw conflict("This consultation changed meanwhile; reload the page.");
    await auditConsultation(actor, `consultation.${step}`, id, uow.tx);
    if (step === "answer") {
      // A review the patient wrote before this consultation now comes from a patient the
      // doctor answered: it gains the "Verified consultation" badge without being re-saved.
      await uow.tx
        .update(reviews)
        .set({ verifiedConsultation: true })
        .where(and(eq(reviews.authorId, row.patientId), eq(reviews.doctorId, row.doctorProfileId)));
      await refreshReplyTime(uow.tx, row.doctorProfileId);
    }
    if (step === "revoke" || step === "withdraw") {
      // The doctor's access ends: their earlier notifications stop naming the patient.
      await redactDoctorNotifications(uow, (await partiesOf(uow.tx, row)).doctorUserId, [id]);
    }
    if (!(await isUnclaimedClinicRecord(uow.tx, row)))
      await notify(uow, await noticeOf(uow.tx, step, row));
    return row;
  });
}

/**
 * A doctor's clinic record whose patient has not claimed it: its account is a record holder
 * nobody reads, so no notice is written or mailed (decision 061).
 */
async function isUnclaimedClinicRecord(db: Executor, row: Consultation): Promise<boolean> {
  if (!row.clinicPatientId) return false;
  const [patient] = await db
    .select({ claimedAt: clinicPatients.claimedAt, holderId: clinicPatients.holderId })
    .from(clinicPatients)
    .where(eq(clinicPatients.id, row.clinicPatientId))
    .limit(1);
  return !patient?.claimedAt || patient.holderId !== row.patientId;
}

export const withdrawRequest = (actor: Actor, id: string) =>
  transition(actor, id, {
    step: "withdraw",
    side: "patient",
    from: ["requested"],
    set: { status: "withdrawn", withdrawnAt: new Date() },
  });

/** The patient ends the doctor's access (before or after an answer). */
export const revokeAccess = (actor: Actor, id: string) =>
  transition(actor, id, {
    step: "revoke",
    side: "patient",
    from: ["requested", "accepted", "declined", "answered", "closed"],
    set: { revokedAt: new Date() },
  });

export const closeConsultation = (actor: Actor, id: string) =>
  transition(actor, id, {
    step: "close",
    side: "patient",
    from: ["answered"],
    set: { status: "closed", closedAt: new Date() },
  });

export const acceptRequest = (actor: Actor, id: string) =>
  transition(actor, id, {
    step: "accept",
    side: "doctor",
    from: ["requested"],
    set: { status: "accepted", acceptedAt: new Date() },
  });

export const declineRequest = (actor: Actor, id: string, reason: string) =>
  transition(actor, id, {
    step: "decline",
    side: "doctor",
    from: ["requested"],
    set: { status: "declined", declinedAt: new Date(), declineReason: reason },
  });

/** The doctor's assessment: their class, what they saw (morphology), advice to the patient, urgency. */
export const answerConsultation = (actor: Actor, id: string, input: AnswerInput) =>
  transition(actor, id, {
    step: "answer",
    side: "doctor",
    from: ["accepted"],
    set: {
      status: "answered",
      answeredAt: new Date(),
      doctorClass: input.doctorClass,
      morphology: input.morphology,
      recommendations: input.recommendations,
      urgency: input.urgency,
    },
  });
