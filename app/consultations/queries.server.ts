/**
 * Reading consultations: a case as its doctor sees it, the patient's own consultation,
 * both inboxes and a case's images. Scoped by the actor through `visibleTo`; reads that
 * show patient data are audited.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, consultations, doctorProfiles, users } from "#db/schema";
import { audit } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { doctorName, isCertified } from "~/doctors/vocabulary";
import { notFound } from "~/errors/domain-error";
import { getImageStore, IMAGE_FILES, type ImageFile } from "~/uploads/storage.server";
import { doctorSees, visibleTo } from "./access.server";
import { auditConsultation } from "./lifecycle.server";

/** The doctor of a profile, named the one way doctors are named. */
function doctorOfProfile(profileId: string) {
  const row = getDb()
    .select({
      id: doctorProfiles.id,
      name: users.displayName,
      title: doctorProfiles.title,
      status: doctorProfiles.status,
    })
    .from(doctorProfiles)
    .innerJoin(users, eq(users.id, doctorProfiles.userId))
    .where(eq(doctorProfiles.id, profileId))
    .get();
  // Whether the doctor can see the case now is all the patient learns of their status.
  return (
    row && { id: row.id, name: doctorName(row.title, row.name), certified: isCertified(row.status) }
  );
}

const analysisOf = (analysisId: string) =>
  getDb().select().from(analyses).where(eq(analyses.id, analysisId)).get() ?? notFound();

/** A case as the doctor sees it (only while shared); every view is audited. */
export function getCaseForDoctor(actor: Actor, id: string) {
  const consultation = visibleTo(actor, id, "doctor") ?? notFound();
  const analysis = analysisOf(consultation.analysisId);
  const me = doctorOfProfile(consultation.doctorProfileId);
  auditConsultation(actor, "consultation.read", id);
  return { consultation, analysis, doctorName: me?.name ?? "" };
}

/** One stored image of a case, for its doctor while it is shared; audited like every read. */
export async function readCaseImage(actor: Actor, id: string, file: ImageFile) {
  const consultation = visibleTo(actor, id, "doctor") ?? notFound();
  const analysis = getDb()
    .select({ imageKey: analyses.imageKey })
    .from(analyses)
    .where(eq(analyses.id, consultation.analysisId))
    .get();
  const bytes = analysis && (await getImageStore().get(analysis.imageKey, file));
  if (!bytes) notFound();
  auditConsultation(actor, `consultation.image.${file}`, id);
  return { bytes, contentType: IMAGE_FILES[file].contentType };
}

/** The patient's own consultation with its doctor and analysis; audited. */
export function getOwnConsultation(actor: Actor, id: string) {
  const consultation = visibleTo(actor, id, "patient") ?? notFound();
  const analysis = analysisOf(consultation.analysisId);
  const doctor = doctorOfProfile(consultation.doctorProfileId) ?? notFound();
  auditConsultation(actor, "consultation.read", id);
  return { consultation, analysis, doctor };
}

/**
 * The doctor's inbox: shared cases, newest first (the view is audited: it names patients);
 * empty while the doctor's profile is not certified.
 */
export function listDoctorCases(actor: Actor) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  audit({ actorId: actor.id, action: "consultation.list", outcome: "success" });
  return (
    getDb()
      .select({
        c: consultations,
        patientName: users.displayName,
        modelClass: analyses.topClass,
        modelVerdict: analyses.verdict,
      })
      .from(consultations)
      .innerJoin(doctorProfiles, eq(doctorProfiles.id, consultations.doctorProfileId))
      .innerJoin(users, eq(users.id, consultations.patientId))
      .innerJoin(analyses, eq(analyses.id, consultations.analysisId))
      // The doctor's own clinic records are in the records browser, not among shared cases.
      .where(and(doctorSees(actor.id), isNull(consultations.clinicPatientId)))
      .orderBy(desc(consultations.requestedAt))
      .all()
      .map((r) => ({
        ...r.c,
        patientName: r.patientName,
        modelClass: r.modelClass,
        modelVerdict: r.modelVerdict,
      }))
  );
}

/** The patient's consultations (optionally for one analysis), newest first. */
export function listOwnConsultations(actor: Actor, analysisId?: string) {
  if (!can(actor, { type: "patient:access" })) notFound();
  return getDb()
    .select({ c: consultations, name: users.displayName, title: doctorProfiles.title })
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
    .map((r) => ({ ...r.c, doctorName: doctorName(r.title, r.name) }));
}
