import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles, users } from "#db/schema";
import { notFound } from "~/errors/domain-error";

/** A certified doctor's public profile; pending or rejected profiles do not exist publicly. */
export function getListedDoctor(doctorId: string) {
  const row = getDb()
    .select({
      id: doctorProfiles.id,
      userId: doctorProfiles.userId,
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
      isDemo: doctorProfiles.isDemo,
      verifiedAt: doctorProfiles.verifiedAt,
    })
    .from(doctorProfiles)
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(and(eq(doctorProfiles.id, doctorId), eq(doctorProfiles.status, "verified")))
    .get();
  return row ?? notFound();
}
