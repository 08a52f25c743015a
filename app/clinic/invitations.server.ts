/**
 * A clinic patient claims their records: the doctor issues a one-time link (only its hash is
 * stored, valid INVITATION_VALID_DAYS, a new one voids the earlier ones); a signed-in patient
 * who opens it takes the records into their own account, where their access rules apply from
 * then on (docs/decisions/061). A forged link is a 404; an expired or spent one a 410.
 */
import crypto from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { getDb } from "#db/client";
import {
  analyses,
  clinicInvitations,
  clinicPatients,
  consultations,
  doctorProfiles,
  notifications,
  users,
} from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { inTransaction } from "~/data/unit-of-work.server";
import { doctorName } from "~/doctors/vocabulary";
import { getEnv } from "~/env.server";
import { conflict, invalid, notFound, rateLimited } from "~/errors/domain-error";
import { sendMail } from "~/notifications/mail.server";
import { hit } from "~/security/rate-limit.server";
import { ownClinicPatient } from "./access.server";
import { HOLDER_PASSWORD_HASH } from "./patients.server";
import { InvitationTokenSchema } from "./validation";
import {
  INVITATION_MAILS_PER_DOCTOR,
  INVITATION_MAILS_PER_PATIENT,
  INVITATION_VALID_DAYS,
} from "./vocabulary";

export const INVITATION_NOT_FOUND =
  "This invitation link is not valid. Check that you copied all of it, or ask your doctor for a new one.";
export const INVITATION_EXPIRED = "This invitation has expired. Ask your doctor for a new link.";
export const INVITATION_USED =
  "This invitation has already been used. Ask your doctor for a new link if you still need one.";
export const ALREADY_CLAIMED = "These records have already been claimed by their patient.";

const hashToken = (token: string) => crypto.createHash("sha256").update(token).digest("hex");

export const invitationLink = (token: string) =>
  new URL(`/clinic/invitations/${token}`, getEnv().APP_URL).toString();

export const TOO_MANY_INVITATION_MAILS =
  "Too many invitation e-mails in a short time. Wait a few minutes, or give the patient the link yourself.";

/** The invitation e-mail: who invites, the link and its lifetime; no health data. */
export function invitationMail(to: string, doctor: string, link: string, expiresAt: Date) {
  return {
    to,
    subject: `HemaLink: your records from ${doctor}`,
    text: [
      `${doctor} keeps the results of your blood smear analyses in HemaLink and invites you to see them in your own account.`,
      "",
      `Open this link to add them to your account (it works once, until ${expiresAt.toISOString().slice(0, 10)}):`,
      link,
      "",
      "Once added, the records are yours: you decide who sees them.",
      "If you do not know this doctor, ignore this e-mail: nothing happens without you.",
      "",
    ].join("\n"),
  };
}

/** Counted before anything is written: per clinic patient, then per doctor. */
async function allowInvitationMail(actor: Actor, clinicPatientId: string) {
  for (const [bucket, key, limit] of [
    ["clinic-invite-mail:patient", clinicPatientId, INVITATION_MAILS_PER_PATIENT],
    ["clinic-invite-mail:doctor", actor.id, INVITATION_MAILS_PER_DOCTOR],
  ] as const) {
    const result = await hit(bucket, key, limit);
    if (!result.allowed) throw rateLimited(TOO_MANY_INVITATION_MAILS, result.retryAfterSeconds);
  }
}

async function doctorOf(actor: Actor) {
  const row = (
    await getDb()
      .select({ name: users.displayName, title: doctorProfiles.title })
      .from(users)
      .leftJoin(doctorProfiles, eq(doctorProfiles.userId, users.id))
      .where(eq(users.id, actor.id))
      .limit(1)
  )[0];
  return doctorName(row?.title ?? null, row?.name ?? "");
}

/**
 * A new link for the doctor to hand over; earlier open links of this patient stop working.
 * With `email`, the link also goes to that address through the app's mailer once the link is
 * committed (rate-limited; audited as sent, without the address); either way the doctor is
 * shown the link, which works just the same when copied by hand.
 */
export async function issueInvitation(
  actor: Actor,
  clinicPatientId: string,
  { email, now = new Date() }: { email?: string; now?: Date } = {},
) {
  const patient = await ownClinicPatient(actor, clinicPatientId);
  if (patient.claimedAt) throw conflict(ALREADY_CLAIMED);
  if (email) await allowInvitationMail(actor, patient.id);
  const doctor = email ? await doctorOf(actor) : "";
  const token = crypto.randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + INVITATION_VALID_DAYS * 86_400_000);
  const link = invitationLink(token);
  await inTransaction(async (uow) => {
    const { tx } = uow;
    await tx
      .update(clinicInvitations)
      .set({ expiresAt: now })
      .where(
        and(
          eq(clinicInvitations.clinicPatientId, patient.id),
          isNull(clinicInvitations.usedAt),
          gt(clinicInvitations.expiresAt, now),
        ),
      );
    const [row] = await tx
      .insert(clinicInvitations)
      .values({
        clinicPatientId: patient.id,
        tokenHash: hashToken(token),
        expiresAt,
        createdAt: now,
      })
      .returning({ id: clinicInvitations.id });
    await auditSuccess(
      actor,
      email ? "clinic.invitation.email" : "clinic.invitation.issue",
      { targetType: "clinic_patient", targetId: patient.id, detail: row.id },
      tx,
    );
    if (email) uow.afterCommit(() => sendMail(invitationMail(email, doctor, link, expiresAt)));
  });
  return { link, expiresAt, emailedTo: email ?? null };
}

/** The open invitation of `token` and who sent it, or the refusal (read only). */
export async function openInvitation(token: string, now = new Date()) {
  if (!InvitationTokenSchema.safeParse(token).success) notFound(INVITATION_NOT_FOUND);
  const row = (
    await getDb()
      .select({
        id: clinicInvitations.id,
        expiresAt: clinicInvitations.expiresAt,
        usedAt: clinicInvitations.usedAt,
        clinicPatientId: clinicInvitations.clinicPatientId,
        claimedAt: clinicPatients.claimedAt,
        doctorName: users.displayName,
        doctorTitle: doctorProfiles.title,
      })
      .from(clinicInvitations)
      .innerJoin(clinicPatients, eq(clinicPatients.id, clinicInvitations.clinicPatientId))
      .innerJoin(users, eq(users.id, clinicPatients.doctorId))
      .leftJoin(doctorProfiles, eq(doctorProfiles.userId, clinicPatients.doctorId))
      .where(eq(clinicInvitations.tokenHash, hashToken(token)))
      .limit(1)
  )[0];
  if (!row) notFound(INVITATION_NOT_FOUND);
  if (row.usedAt || row.claimedAt) throw invalid(INVITATION_USED, undefined, 410);
  if (row.expiresAt <= now) throw invalid(INVITATION_EXPIRED, undefined, 410);
  return { ...row, doctor: doctorName(row.doctorTitle, row.doctorName ?? "") };
}

/**
 * The signed-in patient takes the clinic patient's records: the analyses and the doctor's
 * consultations move to their account, the link is spent, the record-holder account is
 * removed, all in one unit of work (a second use of the link, even at the same moment, is a 410).
 */
export async function claimInvitation(actor: Actor, token: string, now = new Date()) {
  if (!can(actor, { type: "clinic:claim" })) notFound();
  const invitation = await openInvitation(token, now);
  return await inTransaction(async ({ tx }) => {
    const [spent] = await tx
      .update(clinicInvitations)
      .set({ usedAt: now, usedBy: actor.id })
      .where(
        and(
          eq(clinicInvitations.id, invitation.id),
          isNull(clinicInvitations.usedAt),
          gt(clinicInvitations.expiresAt, now),
        ),
      )
      .returning({ id: clinicInvitations.id });
    if (!spent) throw invalid(INVITATION_USED, undefined, 410);
    const [patient] = await tx
      .update(clinicPatients)
      .set({ claimedAt: now })
      .where(
        and(eq(clinicPatients.id, invitation.clinicPatientId), isNull(clinicPatients.claimedAt)),
      )
      .returning();
    if (!patient) throw invalid(INVITATION_USED, undefined, 410);
    const holderId = patient.holderId;
    const moved = await tx
      .update(analyses)
      .set({ patientId: actor.id })
      .where(eq(analyses.patientId, holderId))
      .returning({ id: analyses.id });
    await tx
      .update(consultations)
      .set({ patientId: actor.id })
      .where(eq(consultations.patientId, holderId));
    await tx
      .update(clinicPatients)
      .set({ holderId: actor.id })
      .where(eq(clinicPatients.holderId, holderId));
    await tx.delete(notifications).where(eq(notifications.userId, holderId));
    // Only a record holder is removed (never a real account that held the records).
    await tx
      .delete(users)
      .where(and(eq(users.id, holderId), eq(users.passwordHash, HOLDER_PASSWORD_HASH)));
    await auditSuccess(
      actor,
      "clinic.invitation.claim",
      { targetType: "clinic_patient", targetId: patient.id, detail: `${moved.length} analyses` },
      tx,
    );
    return { analyses: moved.length, doctor: invitation.doctor };
  });
}
