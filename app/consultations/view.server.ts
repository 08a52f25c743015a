/** What a consultation page shows, as plain JSON for a loader (both sides use it). */
import type { Consultation } from "#db/schema";
import type { Actor } from "~/auth/permissions";
import type { DoctorClass } from "./vocabulary";
import { canPostMessages, listMessages } from "./messages.server";

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** `doctorCertified`: false when the doctor's profile lapsed (no messages to a doctor who cannot read). */
export function consultationView(c: Consultation, { doctorCertified = true } = {}) {
  return {
    id: c.id,
    status: c.status,
    revoked: Boolean(c.revokedAt),
    message: c.message,
    ageBracket: c.ageBracket,
    declineReason: c.declineReason,
    doctorClass: c.doctorClass as DoctorClass | null,
    recommendations: c.recommendations,
    morphology: c.morphology,
    urgency: c.urgency,
    /** Set on a doctor's own clinic record (decision 061). */
    clinicPatientId: c.clinicPatientId,
    steps: {
      requestedAt: c.requestedAt.toISOString(),
      acceptedAt: iso(c.acceptedAt),
      declinedAt: iso(c.declinedAt),
      answeredAt: iso(c.answeredAt),
      closedAt: iso(c.closedAt),
      withdrawnAt: iso(c.withdrawnAt),
      revokedAt: iso(c.revokedAt),
    },
    canPost: canPostMessages(c) && doctorCertified,
  };
}

/** The thread of a consultation the actor may see (404 otherwise), dates as ISO text. */
export async function threadView(actor: Actor, consultationId: string) {
  return (await listMessages(actor, consultationId)).map((m) => ({
    ...m,
    createdAt: m.createdAt.toISOString(),
  }));
}
