import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { inTransaction } from "~/data/unit-of-work.server";
import { analyses, consultations, doctorProfiles, notifications, users } from "#db/schema";
import { listOwnAnalyses } from "~/analyses/analyses.server";
import { acceptRequest, shareAnalysis } from "~/consultations/lifecycle.server";
import { listDoctorCases } from "~/consultations/queries.server";
import { finalReviewFor } from "~/consultations/final.server";
import { claimInvitation, issueInvitation } from "~/clinic/invitations.server";
import { imageGroups, listRecords } from "~/clinic/records.server";
import { RECORDS_PAGE_SIZE } from "~/clinic/vocabulary";
import { action as caseAction } from "~/routes/doctor.cases.$id";
import { action as analyseAction } from "~/routes/doctor.patients.$id_.analyses.new";
import { loader as reportLoader } from "~/routes/doctor.records.$id.report";
import { loader as fhirLoader } from "~/routes/doctor.records.$id.fhir";
import { loader as inviteLoader, action as inviteAction } from "~/routes/clinic.invitations.$token";
import { insertAnalysis, makeUser, thrownResponse } from "../helpers";
import { smearLikeImage } from "../uploads/images";
import {
  clinicPatientOf,
  decided,
  doctorWithPatient,
  getArgs,
  insertClinicRecord,
  postArgs,
  statusOf,
} from "./helpers";

const consultationRow = async (id: string) =>
  (await getDb().select().from(consultations).where(eq(consultations.id, id)).limit(1))[0]!;

async function uploadFor(doctor: { id: string }, patientId: string) {
  const body = new FormData();
  body.set("smear", new File([await smearLikeImage()], "smear.jpg", { type: "image/jpeg" }));
  body.set("idempotencyKey", crypto.randomUUID());
  return analyseAction(
    await postArgs(doctor, `/doctor/patients/${patientId}/analyses/new`, { id: patientId }, body),
  );
}

describe("a clinic analysis, decided and printed", () => {
  test("the doctor's upload is classified, opened as their accepted record; the decision is the final answer", async () => {
    const { doctor, patient } = await doctorWithPatient({ birthDate: "2016-04-01" });
    const uploaded = (await uploadFor(doctor, patient.id)) as Response;
    expect(uploaded.status).toBe(302);
    const id = uploaded.headers.get("Location")!.replace("/doctor/cases/", "");
    const c = await consultationRow(id);
    expect(c).toMatchObject({
      status: "accepted",
      clinicPatientId: patient.id,
      patientId: patient.holderId,
      ageBracket: "child",
    });
    const analysis = (
      await getDb().select().from(analyses).where(eq(analyses.id, c.analysisId)).limit(1)
    )[0]!;
    expect(analysis.patientId).toBe(patient.holderId);
    expect(analysis.capture).not.toBeNull();
    // Not among the shared cases.
    expect((await listDoctorCases(doctor)).map((x) => x.id)).not.toContain(id);

    const answer = await caseAction(
      await postArgs(
        doctor,
        `/doctor/cases/${id}`,
        { id },
        {
          intent: "answer",
          doctorClass: "pre_b",
          morphology: "Many medium-sized blasts with fine chromatin.",
          recommendations: "Bone marrow aspirate and flow cytometry.",
          urgency: "urgent",
        },
      ),
    );
    expect(statusOf(answer)).toBe(302);
    expect(await finalReviewFor(analysis.id)).toMatchObject({
      consultationId: id,
      doctorClass: "pre_b",
      urgency: "urgent",
    });
    // Nobody reads the record-holder account: no notice for it; the reply time is untouched.
    expect(
      await getDb().select().from(notifications).where(eq(notifications.userId, patient.holderId)),
    ).toEqual([]);
    const profile = (
      await getDb()
        .select()
        .from(doctorProfiles)
        .where(eq(doctorProfiles.userId, doctor.id))
        .limit(1)
    )[0]!;
    expect(profile.replyCount).toBe(0);

    const report = await reportLoader(
      await getArgs(doctor, `/doctor/records/${id}/report`, { id }),
    );
    expect(report.patient).toMatchObject({
      name: patient.name,
      clinicRef: patient.clinicRef,
      birthDate: "2016-04-01",
    });
    expect(report.decision).toMatchObject({ assessment: "Pre-B ALL" });
    expect(report.practitioner.name).toBeTruthy();

    const fhir = (await (
      await fhirLoader(await getArgs(doctor, `/doctor/records/${id}/fhir`, { id }))
    ).json()) as {
      status: string;
      performer: { reference: string }[];
      contained: {
        resourceType: string;
        identifier?: { value: string }[];
        birthDate?: string;
        gender?: string;
      }[];
    };
    expect(fhir.status).toBe("final");
    expect(fhir.performer[0]!.reference).toBe("#practitioner");
    const subject = fhir.contained.find((r) => r.resourceType === "Patient")!;
    expect(subject).toMatchObject({
      birthDate: "2016-04-01",
      gender: "female",
      identifier: [expect.objectContaining({ value: patient.clinicRef })],
    });
  }, 60_000);

  test("another doctor cannot analyse for my patient (404) and nothing is written", async () => {
    const { patient } = await doctorWithPatient();
    const { doctor: other } = await doctorWithPatient();
    const before = (await getDb().select().from(analyses)).length;
    const response = await thrownResponse(uploadFor(other, patient.id));
    expect(response.status).toBe(404);
    expect((await getDb().select().from(analyses)).length).toBe(before);
  }, 60_000);

  test("the report of a shared case is not a clinic report (404)", async () => {
    const patient = await makeUser("patient");
    const { doctor, profile } = await doctorWithPatient();
    await inTransaction(({ tx }) =>
      tx
        .update(doctorProfiles)
        .set({ offersTeleconsultation: true })
        .where(eq(doctorProfiles.id, profile.id)),
    );
    const shared = await shareAnalysis(patient, (await insertAnalysis(patient.id)).id, {
      doctorProfileId: profile.id,
      message: "Please look at my smear.",
      consent: true,
    });
    await acceptRequest(doctor, shared.id);
    const response = await thrownResponse(
      reportLoader(await getArgs(doctor, `/doctor/records/${shared.id}/report`, { id: shared.id })),
    );
    expect(response.status).toBe(404);
  });
});

describe("the records browser", () => {
  async function practice() {
    const { doctor, profile, patient } = await doctorWithPatient({
      name: "Zoë Clinic",
      clinicRef: "Z-1",
    });
    const base = { profileId: profile.id, patient };
    const agree = await insertClinicRecord(base, { topClass: "pre_b" }, decided("pre_b"));
    const disagree = await insertClinicRecord(
      base,
      { topClass: "benign" },
      decided("other_leukaemia_suspected"),
    );
    const benignAgree = await insertClinicRecord(
      base,
      { topClass: "benign" },
      decided("reactive_changes"),
    );
    const cantAssess = await insertClinicRecord(
      base,
      { verdict: "cant_assess", topClass: "benign" },
      decided("not_assessable"),
    );
    const open = await insertClinicRecord(base, {
      topClass: "pro_b",
      createdAt: new Date("2026-01-15T10:00:00Z"),
    });
    // A case a patient shared with the same doctor, answered.
    const sharer = await makeUser("patient");
    const sharedAnalysis = await insertAnalysis(sharer.id, { topClass: "pre_b" });
    const [shared] = await inTransaction(({ tx }) =>
      tx
        .insert(consultations)
        .values({
          analysisId: sharedAnalysis.id,
          patientId: sharer.id,
          doctorProfileId: profile.id,
          message: "Please look.",
          consentAt: new Date(),
          ...decided("early_pre_b"),
        })
        .returning(),
    );
    return {
      doctor,
      profile,
      patient,
      agree,
      disagree,
      benignAgree,
      cantAssess,
      open,
      shared,
      sharer,
    };
  }
  const ids = (r: { records: { consultationId: string }[] }) =>
    r.records.map((x) => x.consultationId).sort();

  test("filters by final class, model class, agreement (decision 046), status, origin, date and patient", async () => {
    const p = await practice();
    const { doctor } = p;
    expect((await listRecords(doctor, {})).total).toBe(6);
    expect(ids(await listRecords(doctor, { finalClass: "pre_b" }))).toEqual([
      p.agree.consultation.id,
    ]);
    expect(ids(await listRecords(doctor, { modelClass: "benign" }))).toEqual(
      [p.disagree.consultation.id, p.benignAgree.consultation.id].sort(),
    );
    expect(ids(await listRecords(doctor, { agreement: "agree" }))).toEqual(
      [p.agree.consultation.id, p.benignAgree.consultation.id].sort(),
    );
    expect(ids(await listRecords(doctor, { agreement: "disagree" }))).toEqual(
      [p.disagree.consultation.id, p.shared.id].sort(),
    );
    expect(ids(await listRecords(doctor, { agreement: "model_cant_assess" }))).toEqual([
      p.cantAssess.consultation.id,
    ]);
    expect(ids(await listRecords(doctor, { agreement: "unanswered" }))).toEqual([
      p.open.consultation.id,
    ]);
    expect(ids(await listRecords(doctor, { status: "accepted" }))).toEqual([
      p.open.consultation.id,
    ]);
    expect(ids(await listRecords(doctor, { origin: "shared" }))).toEqual([p.shared.id]);
    expect((await listRecords(doctor, { origin: "clinic" })).total).toBe(5);
    expect(ids(await listRecords(doctor, { from: "2026-01-15", to: "2026-01-15" }))).toEqual([
      p.open.consultation.id,
    ]);
    expect((await listRecords(doctor, { to: "2026-01-14" })).total).toBe(0);
    expect((await listRecords(doctor, { patient: "zoe" })).total).toBe(5);
    expect((await listRecords(doctor, { patient: "z-1" })).total).toBe(5);
    expect(ids(await listRecords(doctor, { patient: p.sharer.displayName }))).toEqual([
      p.shared.id,
    ]);
  });

  test("another doctor sees none of them; pages hold RECORDS_PAGE_SIZE, newest first, the last page clamps", async () => {
    const { doctor, profile, patient } = await doctorWithPatient();
    for (let i = 0; i < RECORDS_PAGE_SIZE + 3; i += 1) {
      await insertClinicRecord(
        { profileId: profile.id, patient },
        { createdAt: new Date(Date.UTC(2026, 0, 1 + i)) },
      );
    }
    const first = await listRecords(doctor, {});
    expect(first).toMatchObject({ total: RECORDS_PAGE_SIZE + 3, page: 1, pages: 2 });
    expect(first.records).toHaveLength(RECORDS_PAGE_SIZE);
    expect(first.records[0]!.createdAt.toISOString().slice(0, 10)).toBe("2026-01-23");
    const last = await listRecords(doctor, { page: 99 });
    expect(last.page).toBe(2);
    expect(last.records).toHaveLength(3);
    const { doctor: other } = await doctorWithPatient();
    expect((await listRecords(other, {})).total).toBe(0);
  });

  test("the image browser groups the records under their final class, undecided last", async () => {
    const p = await practice();
    const groups = await imageGroups(p.doctor, {});
    expect(groups.map((g) => [g.doctorClass, g.total])).toEqual([
      ["early_pre_b", 1],
      ["pre_b", 1],
      ["other_leukaemia_suspected", 1],
      ["reactive_changes", 1],
      ["not_assessable", 1],
      [null, 1],
    ]);
    expect((await imageGroups(p.doctor, { origin: "shared" })).map((g) => g.doctorClass)).toEqual([
      "early_pre_b",
    ]);
  });
});

describe("an invitation to claim the records", () => {
  test("a new patient claims them: the records are in their history, the link is spent, the holder is gone", async () => {
    const { doctor, profile, patient } = await doctorWithPatient();
    const record = await insertClinicRecord(
      { profileId: profile.id, patient },
      {},
      decided("pre_b"),
    );
    const { link } = await issueInvitation(doctor, patient.id);
    const token = link.split("/").pop()!;
    const page = await inviteLoader(await getArgs(null, `/clinic/invitations/${token}`, { token }));
    expect(page.signedIn).toBeNull();

    const claimant = await makeUser("patient");
    const claimed = await inviteAction(
      await postArgs(claimant, `/clinic/invitations/${token}`, { token }, { intent: "claim" }),
    );
    expect(statusOf(claimed)).toBe(302);
    expect((await listOwnAnalyses(claimant)).map((a) => a.id)).toEqual([record.analysis.id]);
    expect((await consultationRow(record.consultation.id)).patientId).toBe(claimant.id);
    expect(
      (await getDb().select().from(users).where(eq(users.id, patient.holderId)).limit(1))[0],
    ).toBeUndefined();
    // The doctor still sees the record, now as the patient's own (they may revoke it).
    expect((await listRecords(doctor, {})).total).toBe(1);

    expect(
      (
        await thrownResponse(
          inviteLoader(await getArgs(null, `/clinic/invitations/${token}`, { token })),
        )
      ).status,
    ).toBe(410);
    const second = await makeUser("patient");
    const again = await inviteAction(
      await postArgs(second, `/clinic/invitations/${token}`, { token }, { intent: "claim" }),
    );
    expect(statusOf(again)).toBe(410);
    expect(await listOwnAnalyses(second)).toEqual([]);
    expect((await thrownResponse(issueInvitation(doctor, patient.id))).status).toBe(409);
  });

  test("a forged link is a 404, an expired or replaced one a 410, and only a patient can claim", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const forged = "A".repeat(43);
    expect(
      (
        await thrownResponse(
          inviteLoader(await getArgs(null, `/clinic/invitations/${forged}`, { token: forged })),
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await thrownResponse(
          inviteLoader(await getArgs(null, "/clinic/invitations/short", { token: "short" })),
        )
      ).status,
    ).toBe(404);

    const old = (
      await issueInvitation(doctor, patient.id, { now: new Date(Date.now() - 30 * 86_400_000) })
    ).link
      .split("/")
      .pop()!;
    expect(
      (
        await thrownResponse(
          inviteLoader(await getArgs(null, `/clinic/invitations/${old}`, { token: old })),
        )
      ).status,
    ).toBe(410);

    const first = (await issueInvitation(doctor, patient.id)).link.split("/").pop()!;
    const second = (await issueInvitation(doctor, patient.id)).link.split("/").pop()!;
    expect(
      (
        await thrownResponse(
          inviteLoader(await getArgs(null, `/clinic/invitations/${first}`, { token: first })),
        )
      ).status,
    ).toBe(410);
    const claimant = await makeUser("patient");
    expect((await thrownResponse(claimInvitation(doctor, second))).status).toBe(404);
    const admin = await makeUser("admin");
    expect(
      (
        await thrownResponse(
          inviteAction(
            await postArgs(
              admin,
              `/clinic/invitations/${second}`,
              { token: second },
              { intent: "claim" },
            ),
          ),
        )
      ).status,
    ).toBe(404);
    await claimInvitation(claimant, second);
    const other = await clinicPatientOf(doctor);
    expect(other.claimedAt).toBeNull();
  });
});
