import { asc, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles, users } from "#db/schema";
import { can, type Actor } from "~/auth/permissions";
import { notFound } from "~/auth/guards.server";

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
