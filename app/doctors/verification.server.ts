import { and, asc, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles, users } from "#db/schema";
import { can, type Actor } from "~/auth/permissions";
import { notFound } from "~/errors/domain-error";
import { audit } from "~/audit/audit.server";

/** Profiles awaiting an admin's decision, oldest first. */
export function listPendingDoctors(actor: Actor) {
  if (!can(actor, { type: "admin:access" })) notFound();
  return getDb()
    .select({
      profileId: doctorProfiles.id,
      userId: users.id,
      name: users.displayName,
      email: users.email,
      licenceNumber: doctorProfiles.licenceNumber,
      licenceAuthority: doctorProfiles.licenceAuthority,
      boardCertifications: doctorProfiles.boardCertifications,
      specialties: doctorProfiles.specialties,
      clinicName: doctorProfiles.clinicName,
      city: doctorProfiles.city,
      country: doctorProfiles.country,
      submittedAt: doctorProfiles.updatedAt,
      isDemo: doctorProfiles.isDemo,
    })
    .from(doctorProfiles)
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(eq(doctorProfiles.status, "pending"))
    .orderBy(asc(doctorProfiles.createdAt))
    .all();
}

/** The acting doctor's own verification state. */
export function getOwnVerification(actor: Actor) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  const row = getDb()
    .select({
      status: doctorProfiles.status,
      rejectionReason: doctorProfiles.rejectionReason,
      verifiedAt: doctorProfiles.verifiedAt,
    })
    .from(doctorProfiles)
    .where(eq(doctorProfiles.userId, actor.id))
    .get();
  return row ?? notFound();
}

export type Decision = { approve: true } | { approve: false; reason: string };

/**
 * An admin approves (the doctor becomes certified and listed) or rejects a pending
 * profile with a reason the doctor sees. Nobody decides on their own profile; a profile
 * that is not pending (or does not exist) is a 404. Audit-logged either way.
 */
export function decideVerification(actor: Actor, profileId: string, decision: Decision) {
  if (!can(actor, { type: "admin:access" })) notFound();
  const db = getDb();
  const outcome = db.transaction((tx) => {
    const profile = tx
      .select({
        id: doctorProfiles.id,
        userId: doctorProfiles.userId,
        status: doctorProfiles.status,
      })
      .from(doctorProfiles)
      .where(and(eq(doctorProfiles.id, profileId), eq(doctorProfiles.status, "pending")))
      .get();
    if (!profile || !can(actor, { type: "doctor:verify", profileUserId: profile.userId })) {
      return "denied";
    }
    tx.update(doctorProfiles)
      .set(
        decision.approve
          ? {
              status: "verified",
              verifiedAt: new Date(),
              verifiedBy: actor.id,
              rejectionReason: null,
            }
          : {
              status: "rejected",
              verifiedAt: null,
              verifiedBy: null,
              rejectionReason: decision.reason,
            },
      )
      .where(eq(doctorProfiles.id, profile.id))
      .run();
    audit({
      actorId: actor.id,
      action: decision.approve ? "doctor.verify.approve" : "doctor.verify.reject",
      outcome: "success",
      targetType: "doctor_profile",
      targetId: profile.id,
      detail: decision.approve ? undefined : decision.reason,
    });
    return "done";
  });
  if (outcome === "denied") {
    audit({
      actorId: actor.id,
      action: "doctor.verify",
      outcome: "denied",
      targetType: "doctor_profile",
      targetId: profileId,
    });
    notFound();
  }
}
