import { and, eq, sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles, users } from "#db/schema";
import type { Actor } from "~/auth/permissions";
import { notFound } from "~/errors/domain-error";

/**
 * A certified doctor's public profile (what the page shows; the account's id stays on the
 * server); pending or rejected profiles do not exist publicly.
 */
export async function getListedDoctor(doctorId: string) {
  const row = (
    await getDb()
      .select({
        id: doctorProfiles.id,
        name: users.displayName,
        title: doctorProfiles.title,
        specialties: doctorProfiles.specialties,
        languages: doctorProfiles.languages,
        boardCertifications: doctorProfiles.boardCertifications,
        clinicName: doctorProfiles.clinicName,
        streetAddress: doctorProfiles.streetAddress,
        city: doctorProfiles.city,
        country: doctorProfiles.country,
        lat: doctorProfiles.lat,
        lng: doctorProfiles.lng,
        offersTeleconsultation: doctorProfiles.offersTeleconsultation,
        acceptsNewPatients: doctorProfiles.acceptsNewPatients,
        bio: doctorProfiles.bio,
        phone: doctorProfiles.phone,
        website: doctorProfiles.website,
        education: doctorProfiles.education,
        boardCertificationYear: doctorProfiles.boardCertificationYear,
        practiceStartYear: doctorProfiles.practiceStartYear,
        inPersonFee: doctorProfiles.inPersonFee,
        teleconsultationFee: doctorProfiles.teleconsultationFee,
        replyCount: doctorProfiles.replyCount,
        medianReplyMs: doctorProfiles.medianReplyMs,
        hasPhoto: sql<boolean>`${doctorProfiles.photoKey} IS NOT NULL`.mapWith(Boolean),
        isDemo: doctorProfiles.isDemo,
        verifiedAt: doctorProfiles.verifiedAt,
      })
      .from(doctorProfiles)
      .innerJoin(users, eq(users.id, doctorProfiles.userId))
      .where(and(eq(doctorProfiles.id, doctorId), eq(doctorProfiles.status, "verified")))
      .limit(1)
  )[0];
  return row ?? notFound();
}

/** Whether `actor` is the doctor of this profile (to offer replies to reviews). */
export async function isOwnProfile(actor: Actor | null, profileId: string): Promise<boolean> {
  if (!actor) return false;
  const row = (
    await getDb()
      .select({ id: doctorProfiles.id })
      .from(doctorProfiles)
      .where(and(eq(doctorProfiles.id, profileId), eq(doctorProfiles.userId, actor.id)))
      .limit(1)
  )[0];
  return Boolean(row);
}
