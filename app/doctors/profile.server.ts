import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { notFound } from "~/errors/domain-error";
import { can, type Actor } from "~/auth/permissions";
import { endDoctorAccess } from "~/consultations/access.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { certificationList, feeOf, type ProfileInput } from "./validation";

/** A reviewed profile whose reviewed details change goes back to the admin's queue. */
export const BACK_TO_VERIFICATION = {
  status: "pending",
  verifiedAt: null,
  verifiedBy: null,
  rejectionReason: null,
} as const;

/** The acting doctor's own profile. */
export async function getOwnProfile(actor: Actor) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  return (
    (
      await getDb()
        .select()
        .from(doctorProfiles)
        .where(eq(doctorProfiles.userId, actor.id))
        .limit(1)
    )[0] ?? notFound()
  );
}

/**
 * Save the acting doctor's profile. A change of licence or certification, or of what is
 * shown publicly as the doctor's identity (title, clinic), sends a verified profile back to
 * verification (it leaves the public listing at once: the spatial index follows the status
 * in the same transaction).
 */
export async function updateOwnProfile(actor: Actor, input: ProfileInput) {
  return await inTransaction(async (uow) => {
    const tx = uow.tx;
    const current = (
      await tx.select().from(doctorProfiles).where(eq(doctorProfiles.userId, actor.id)).limit(1)
    )[0];
    if (!current || !can(actor, { type: "doctor:edit-profile", profileUserId: current.userId })) {
      notFound();
    }
    const certifications = certificationList(input.boardCertifications);
    const credentialsChanged =
      current.licenceNumber !== input.licenceNumber ||
      current.licenceAuthority !== input.licenceAuthority ||
      JSON.stringify(current.boardCertifications) !== JSON.stringify(certifications) ||
      current.boardCertificationYear !== (input.boardCertificationYear ?? null);
    // What patients see as who the doctor is: what the admin verified must still be true.
    // (The name is the account's, set at registration: no page changes it.)
    const identityChanged =
      current.title !== (input.title || null) || current.clinicName !== input.clinicName;
    const backToVerification =
      (credentialsChanged || identityChanged) &&
      (current.status === "verified" || current.status === "rejected");
    await tx
      .update(doctorProfiles)
      .set({
        title: input.title || null,
        licenceNumber: input.licenceNumber,
        licenceAuthority: input.licenceAuthority,
        boardCertifications: certifications,
        boardCertificationYear: input.boardCertificationYear ?? null,
        practiceStartYear: input.practiceStartYear ?? null,
        specialties: input.specialties,
        languages: input.languages,
        clinicName: input.clinicName,
        streetAddress: input.streetAddress,
        city: input.city,
        country: input.country,
        lat: input.lat,
        lng: input.lng,
        offersTeleconsultation: input.offersTeleconsultation,
        acceptsNewPatients: input.acceptsNewPatients,
        bio: input.bio || null,
        phone: input.phone || null,
        website: input.website || null,
        education: certificationList(input.education ?? ""),
        inPersonFee: feeOf({
          fee: input.inPersonFee,
          amount: input.inPersonAmount,
          currency: input.inPersonCurrency,
        }),
        teleconsultationFee: feeOf({
          fee: input.teleconsultationFee,
          amount: input.teleconsultationAmount,
          currency: input.teleconsultationCurrency,
        }),
        ...(backToVerification ? BACK_TO_VERIFICATION : {}),
        updatedAt: new Date(),
      })
      .where(eq(doctorProfiles.id, current.id));
    // A suspended profile stays suspended (only an admin lifts it); leaving "verified" ends
    // the doctor's access to their shared cases, and their patients are told.
    if (backToVerification && current.status === "verified") {
      await endDoctorAccess(uow, current.id, current.userId);
    }
    await auditSuccess(
      actor,
      "doctor.profile.update",
      {
        targetType: "doctor_profile",
        targetId: current.id,
        detail: backToVerification
          ? `${credentialsChanged ? "credentials" : "public identity"} changed: back to verification`
          : undefined,
      },
      tx,
    );
    return { backToVerification: backToVerification || current.status === "pending" };
  });
}
