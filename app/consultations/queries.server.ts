/**
 * Reading consultations: a case as its doctor sees it, the patient's own consultation,
 * both inboxes and a case's images. Scoped by the actor through `visibleTo`; reads that
 * show patient data are audited.
 */
import { and, desc, eq, isNull } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, consultations, doctorProfiles, users } from "#db/schema";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { doctorName } from "~/doctors/vocabulary";
import { notFound } from "~/errors/domain-error";
import { getImageStore, IMAGE_FILES, type ImageFile } from "~/uploads/storage.server";
import { doctorSees, visibleTo } from "./access.server";
import { auditConsultation } from "./lifecycle.server";
import { doctorOfProfile } from "./notices.server";

const analysisOf = async (analysisId: string) =>
  (await getDb().select().from(analyses).where(eq(analyses.id, analysisId)).limit(1))[0] ??
  notFound();

/** A case as the doctor sees it (only while shared); every view is audited. */
export async function getCaseForDoctor(actor: Actor, id: string) {
  const consultation = (await visibleTo(actor, id, "doctor")) ?? notFound();
  const analysis = await analysisOf(consultation.analysisId);
  const me = await doctorOfProfile(getDb(), consultation.doctorProfileId);
  await auditConsultation(actor, "consultation.read", id);
  return { consultation, analysis, doctorName: me?.name ?? "" };
}

/** One stored image of a case, for its doctor while it is shared; audited like every read. */
export async function readCaseImage(actor: Actor, id: string, file: ImageFile) {
  const consultation = (await visibleTo(actor, id, "doctor")) ?? notFound();
  const analysis = (
    await getDb()
      .select({ imageKey: analyses.imageKey })
      .from(analyses)
      .where(eq(analyses.id, consultation.analysisId))
      .limit(1)
  )[0];
  const bytes = analysis && (await getImageStore().get(analysis.imageKey, file));
  if (!bytes) notFound();
  await auditConsultation(actor, `consultation.image.${file}`, id);
  return { bytes, contentType: IMAGE_FILES[file].contentType };
}

/** The patient's own consultation with its doctor and analysis; audited. */
export async function getOwnConsultation(actor: Actor, id: string) {
  const consultation = (await visibleTo(actor, id, "patient")) ?? notFound();
  const analysis = await analysisOf(consultation.analysisId);
  const {
    id: profileId,
    name,
    certified,
  } = (await doctorOfProfile(getDb(), consultation.doctorProfileId)) ?? notFound();
  await auditConsultation(actor, "consultation.read", id);
  // Whether the doctor can see the case now is all the patient learns of their status.
  return { consultation, analysis, doctor: { id: profileId, name, certified } };
}

/**
 * The doctor's inbox: shared cases, newest first (the view is audited: it names patients);
 * empty while the doctor's profile is not certified.
 */
export async function listDoctorCases(actor: Actor) {
  if (!can(actor, { type: "doctor:access" })) notFound();
  await auditSuccess(actor, "consultation.list");
  return (
    (
      await getDb()
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
    ).map((r) => ({
      ...r.c,
      patientName: r.patientName,
      modelClass: r.modelClass,
      modelVerdict: r.modelVerdict,
    }))
  );
}

/** The patient's consultations (optionally for one analysis), newest first. */
export async function listOwnConsultations(actor: Actor, analysisId?: string) {
  if (!can(actor, { type: "patient:access" })) notFound();
  return (
    await getDb()
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
  ).map((r) => ({ ...r.c, doctorName: doctorName(r.title, r.name) }));
}
