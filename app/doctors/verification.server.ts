/**
 * Certification of doctors by an admin: approve or reject a pending profile, suspend a
 * certified one (with a reason the doctor sees), reinstate a suspended one; and the admin's
 * list of every profile. A doctor's access to the cases shared with them follows the status
 * (`~/consultations/access.server`): each change that ends or restores it tells the patients in
 * the same unit of work. Nobody decides on their own profile; a profile that is not in the state
 * the step starts from (or does not exist) is a 404. Every step is audited.
 */
import { and, asc, count, desc, eq, or, sql, type SQL } from "drizzle-orm";
import { getDb } from "#db/client";
import { containsText, pageWindow } from "~/data/listing.server";
import { doctorProfiles, users } from "#db/schema";
import { can, type Actor } from "~/auth/permissions";
import { notFound } from "~/errors/domain-error";
import { audit, auditSuccess } from "~/audit/audit.server";
import { endDoctorAccess, restoreDoctorAccess } from "~/consultations/access.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { doctorName, type VerificationStatus } from "./vocabulary";

export const ADMIN_DOCTORS_PAGE_SIZE = 20;

export type DoctorListQuery = { q: string; status: VerificationStatus | "all"; page: number };

/** What an admin checks before deciding: who the doctor is, their licence and where they work. */
const SUBMITTED_CREDENTIALS = {
  profileId: doctorProfiles.id,
  userId: users.id,
  name: users.displayName,
  email: users.email,
  licenceNumber: doctorProfiles.licenceNumber,
  licenceAuthority: doctorProfiles.licenceAuthority,
  boardCertifications: doctorProfiles.boardCertifications,
  boardCertificationYear: doctorProfiles.boardCertificationYear,
  specialties: doctorProfiles.specialties,
  clinicName: doctorProfiles.clinicName,
  city: doctorProfiles.city,
  country: doctorProfiles.country,
  submittedAt: doctorProfiles.updatedAt,
  isDemo: doctorProfiles.isDemo,
};

/** Where a profile stands in verification, and the reason an admin gave for a refusal or suspension. */
const VERIFICATION_STATE = {
  status: doctorProfiles.status,
  rejectionReason: doctorProfiles.rejectionReason,
  suspensionReason: doctorProfiles.suspensionReason,
  suspendedAt: doctorProfiles.suspendedAt,
  verifiedAt: doctorProfiles.verifiedAt,
};

/**
 * The admin's list of doctor profiles: a search over name, e-mail, licence number and city,
 * a status filter and pages of 20. The queue of pending profiles runs oldest first; the other
 * lists by name.
 */
export async function listDoctorsForAdmin(actor: Actor, query: DoctorListQuery) {
  if (!can(actor, { type: "admin:access" })) notFound();
  const db = getDb();
  const conditions: SQL[] = [];
  if (query.status !== "all") conditions.push(eq(doctorProfiles.status, query.status));
  const q = query.q.trim();
  if (q) {
    const field = (column: SQL | typeof users.email) => containsText(column, q);
    conditions.push(
      or(
        field(sql`${users.displayName}`),
        field(users.email),
        field(sql`${doctorProfiles.licenceNumber}`),
        field(sql`${doctorProfiles.city}`),
      )!,
    );
  }
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const total =
    (
      await db
        .select({ n: count() })
        .from(doctorProfiles)
        .innerJoin(users, eq(users.id, doctorProfiles.userId))
        .where(where)
        .limit(1)
    )[0]?.n ?? 0;
  const { page, pages, offset } = pageWindow(total, query.page, ADMIN_DOCTORS_PAGE_SIZE);
  const rows = (
    await db
      .select({
        ...SUBMITTED_CREDENTIALS,
        ...VERIFICATION_STATE,
        title: doctorProfiles.title,
      })
      .from(doctorProfiles)
      .innerJoin(users, eq(users.id, doctorProfiles.userId))
      .where(where)
      .orderBy(
        ...(query.status === "pending"
          ? [asc(doctorProfiles.updatedAt), asc(doctorProfiles.id)]
          : [asc(sql`lower(${users.displayName})`), desc(doctorProfiles.createdAt)]),
      )
      .limit(ADMIN_DOCTORS_PAGE_SIZE)
      .offset(offset)
  ).map((r) => ({ ...r, displayName: doctorName(r.title, r.name) }));
  return { rows, total, page, pages };
}

/** Profiles awaiting an admin's decision, oldest first. */
export async function listPendingDoctors(actor: Actor) {
  if (!can(actor, { type: "admin:access" })) notFound();
  return await getDb()
    .select(SUBMITTED_CREDENTIALS)
    .from(doctorProfiles)
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(eq(doctorProfiles.status, "pending"))
    .orderBy(asc(doctorProfiles.createdAt));
}

/** The acting doctor's own verification state, with the reason of a refusal or suspension. */
export async function getOwnVerification(actor: Actor) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  const row = (
    await getDb()
      .select({ profileId: doctorProfiles.id, ...VERIFICATION_STATE })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.userId, actor.id))
      .limit(1)
  )[0];
  return row ?? notFound();
}

export type Decision = { approve: true } | { approve: false; reason: string };
export type StatusChange =
  | { step: "approve" }
  | { step: "reject"; reason: string }
  | { step: "suspend"; reason: string }
  | { step: "reinstate" };

const FROM: Record<StatusChange["step"], VerificationStatus> = {
  approve: "pending",
  reject: "pending",
  suspend: "verified",
  reinstate: "suspended",
};

const AUDIT_ACTION: Record<StatusChange["step"], string> = {
  approve: "doctor.verify.approve",
  reject: "doctor.verify.reject",
  suspend: "doctor.suspend",
  reinstate: "doctor.reinstate",
};

function newState(actor: Actor, change: StatusChange) {
  const now = new Date();
  const lifted = { suspensionReason: null, suspendedAt: null, suspendedBy: null };
  switch (change.step) {
    case "approve":
    case "reinstate":
      return {
        status: "verified" as const,
        verifiedAt: now,
        verifiedBy: actor.id,
        rejectionReason: null,
        ...lifted,
      };
    case "reject":
      return {
        status: "rejected" as const,
        verifiedAt: null,
        verifiedBy: null,
        rejectionReason: change.reason,
        ...lifted,
      };
    case "suspend":
      return {
        status: "suspended" as const,
        suspensionReason: change.reason,
        suspendedAt: now,
        suspendedBy: actor.id,
      };
  }
}

/**
 * Move a profile through one admin step, with its audit entry and its effect on the doctor's
 * access in one unit of work. Returns the doctor's name for the admin's confirmation.
 */
export async function changeDoctorStatus(actor: Actor, profileId: string, change: StatusChange) {
  if (!can(actor, { type: "admin:access" })) notFound();
  const outcome = await inTransaction(async (uow) => {
    const profile = (
      await uow.tx
        .select({
          id: doctorProfiles.id,
          userId: doctorProfiles.userId,
          name: users.displayName,
          title: doctorProfiles.title,
        })
        .from(doctorProfiles)
        .innerJoin(users, eq(users.id, doctorProfiles.userId))
        .where(and(eq(doctorProfiles.id, profileId), eq(doctorProfiles.status, FROM[change.step])))
        .limit(1)
    )[0];
    if (!profile || !can(actor, { type: "doctor:verify", profileUserId: profile.userId })) {
      return null;
    }
    await uow.tx
      .update(doctorProfiles)
      .set(newState(actor, change))
      .where(eq(doctorProfiles.id, profile.id));
    await auditSuccess(
      actor,
      AUDIT_ACTION[change.step],
      {
        targetType: "doctor_profile",
        targetId: profile.id,
        detail: "reason" in change ? change.reason : undefined,
      },
      uow.tx,
    );
    // Pending and rejected profiles have no access already; only leaving or regaining
    // "verified" changes what the doctor sees.
    if (change.step === "suspend") await endDoctorAccess(uow, profile.id, profile.userId);
    if (change.step === "approve" || change.step === "reinstate") {
      await restoreDoctorAccess(uow, profile.id);
    }
    return { name: doctorName(profile.title, profile.name) };
  });
  if (!outcome) {
    await audit({
      actorId: actor.id,
      action: AUDIT_ACTION[change.step],
      outcome: "denied",
      targetType: "doctor_profile",
      targetId: profileId,
    });
    notFound();
  }
  return outcome;
}

/**
 * An admin approves (the doctor becomes certified and listed) or rejects a pending
 * profile with a reason the doctor sees.
 */
export const decideVerification = (actor: Actor, profileId: string, decision: Decision) =>
  changeDoctorStatus(
    actor,
    profileId,
    decision.approve ? { step: "approve" } : { step: "reject", reason: decision.reason },
  );
