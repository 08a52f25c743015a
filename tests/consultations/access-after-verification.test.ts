import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, consultationMessages, consultations, notifications } from "#db/schema";
import { createAnalysis } from "~/analyses/create.server";
import { acceptRequest, answerConsultation, shareAnalysis } from "~/consultations/lifecycle.server";
import { postMessage } from "~/consultations/messages.server";
import { listDoctorCases } from "~/consultations/queries.server";
import { updateOwnProfile } from "~/doctors/profile.server";
import { changeDoctorStatus } from "~/doctors/verification.server";
import { listNotifications, unreadCounts } from "~/notifications/notifications.server";
import { action as adminDoctorsAction } from "~/routes/admin.doctors";
import { action as patientAction, loader as patientLoader } from "~/routes/consultations.$id";
import { action as shareAction } from "~/routes/consultations.new";
import { action as caseAction, loader as caseLoader } from "~/routes/doctor.cases.$id";
import { loader as imageLoader } from "~/routes/doctor.cases.$id.image.$file";
import { loader as inboxLoader } from "~/routes/doctor.cases._index";
import { loader as dashboardLoader } from "~/routes/doctor._index";
import {
  getArgs,
  insertAnalysis,
  makeUser,
  postArgs,
  profileOf,
  resultStatus,
  type TestUser,
  thrownResponse,
} from "../helpers";
import { fixedClassifier } from "../analyses/fixtures";
import { profileInput } from "../doctors/fixtures";
import { smearLikeImage } from "../uploads/images";
import { shareInput } from "./fixtures";

const get = getArgs;
const post = postArgs;
const statusOf = resultStatus;
const formErrorOf = (result: unknown) =>
  (result as { data: { error?: Record<string, string[]> } }).data.error?.[""]?.[0];

/**
 * A certified doctor (verified through the profile form and an admin), a patient and their
 * accepted case with images, a message each way.
 */
async function acceptedCase() {
  const admin = await makeUser("admin");
  const doctor = await makeUser("doctor");
  await updateOwnProfile(doctor, profileInput());
  const profileId = (await profileOf(doctor.id)).id;
  await changeDoctorStatus(admin, profileId, { step: "approve" });
  const patient = await makeUser("patient");
  const analysis = await createAnalysis(
    patient,
    { bytes: await smearLikeImage() },
    fixedClassifier,
  );
  const c = await shareAnalysis(
    patient,
    analysis.id,
    shareInput(profileId, "The model says pre-B; what should we do next?"),
  );
  await acceptRequest(doctor, c.id);
  await postMessage(patient, c.id, "Also: fevers for two weeks.");
  await postMessage(doctor, c.id, "Thank you, I am looking at it.");
  return { admin, doctor, patient, profileId, analysis, id: c.id };
}
type Case = Awaited<ReturnType<typeof acceptedCase>>;

const LAPSES: [string, (c: Case) => void][] = [
  [
    "back to verification after a title change",
    async (c) => {
      await updateOwnProfile(c.doctor, profileInput({ title: "Prof." }));
    },
  ],
  [
    "rejected after going back to verification",
    async (c) => {
      await updateOwnProfile(c.doctor, profileInput({ licenceNumber: "LIC-2" }));
      await changeDoctorStatus(c.admin, c.profileId, {
        step: "reject",
        reason: "Licence not found",
      });
    },
  ],
  [
    "suspended by an admin",
    async (c) => {
      await changeDoctorStatus(c.admin, c.profileId, {
        step: "suspend",
        reason: "Complaint under review",
      });
    },
  ],
];

const casePath = (id: string) => `/doctor/cases/${id}`;
const messagesOf = (id: string) =>
  getDb().select().from(consultationMessages).where(eq(consultationMessages.consultationId, id));
const row = async (id: string) =>
  (await getDb().select().from(consultations).where(eq(consultations.id, id)).limit(1))[0]!;

describe.each(LAPSES)("a doctor %s", (_, lapse) => {
  test("sees no case, image or thread (404), cannot post or answer, and the inbox is empty", async () => {
    const c = await acceptedCase();
    expect(
      (await caseLoader(await get(c.doctor, casePath(c.id), { id: c.id }))).consultation.id,
    ).toBe(c.id);
    await lapse(c);
    const before = await row(c.id);
    const messages = (await messagesOf(c.id)).length;

    expect(
      (await thrownResponse(caseLoader(await get(c.doctor, casePath(c.id), { id: c.id })))).status,
    ).toBe(404);
    for (const file of ["original", "thumbnail", "heatmap"]) {
      const image = imageLoader(
        await get(c.doctor, `${casePath(c.id)}/image/${file}`, { id: c.id, file }),
      );
      expect((await thrownResponse(image)).status).toBe(404);
    }
    const message = caseAction(
      await post(c.doctor, casePath(c.id), { id: c.id }, { intent: "message", body: "Still here" }),
    );
    expect((await thrownResponse(message)).status).toBe(404);
    const answer = caseAction(
      await post(
        c.doctor,
        casePath(c.id),
        { id: c.id },
        {
          intent: "answer",
          doctorClass: "pro_b",
          morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
          recommendations: "Bone marrow aspiration next week.",
          urgency: "urgent",
        },
      ),
    );
    expect((await thrownResponse(answer)).status).toBe(404);
    expect(await row(c.id)).toEqual(before);
    expect(await messagesOf(c.id)).toHaveLength(messages);
    expect(await listDoctorCases(c.doctor)).toEqual([]);
    const inbox = await inboxLoader(await get(c.doctor, "/doctor/cases", {}));
    expect(inbox).toMatchObject({ certified: false, cases: [] });
  });

  test("gets no new case: a forged share is refused with a message", async () => {
    const c = await acceptedCase();
    await lapse(c);
    const other = await insertAnalysis(c.patient.id);
    const result = await shareAction(
      await post(
        c.patient,
        "/consultations/new",
        {},
        {
          analysisId: other.id,
          doctorProfileId: c.profileId,
          message: "A second case for you, please.",
          consent: "on",
        },
      ),
    );
    expect(statusOf(result)).toBe(400);
    expect(formErrorOf(result)).toMatch(/cannot receive cases at the moment/);
    expect(
      await getDb().select().from(consultations).where(eq(consultations.analysisId, other.id)),
    ).toEqual([]);
  });

  test("the patient is told on the page and by a notification, and cannot write to the doctor", async () => {
    const c = await acceptedCase();
    await lapse(c);
    const page = await patientLoader(await get(c.patient, `/consultations/${c.id}`, { id: c.id }));
    expect(page.doctor.certified).toBe(false);
    expect(page.consultation.canPost).toBe(false);
    const notice = (await listNotifications(c.patient)).find(
      (n) => n.kind === "consultation.access-lost",
    );
    expect(notice).toMatchObject({ link: `/consultations/${c.id}`, consultationId: c.id });
    expect(notice!.text).toMatch(/can no longer see your case.*another hematologist/);
    const written = await patientAction(
      await post(
        c.patient,
        `/consultations/${c.id}`,
        { id: c.id },
        { intent: "message", body: "Hello?" },
      ),
    );
    expect(statusOf(written)).toBe(409);
    // Ending the doctor's access is still the patient's to do.
    const revoked = await patientAction(
      await post(c.patient, `/consultations/${c.id}`, { id: c.id }, { intent: "revoke" }),
    );
    expect(statusOf(revoked)).toBe(302);
  });

  test("the doctor's notifications about the case no longer name the patient nor link to it", async () => {
    const c = await acceptedCase();
    const name = c.patient.displayName;
    expect((await listNotifications(c.doctor)).some((n) => n.text.includes(name))).toBe(true);
    expect((await unreadCounts(c.doctor)).all).toBeGreaterThan(0);
    await lapse(c);
    const mine = (await listNotifications(c.doctor)).filter((n) => n.consultationId === c.id);
    expect(mine.length).toBeGreaterThan(0);
    for (const n of mine) {
      expect(n.text).not.toContain(name);
      expect(n.link).toBeNull();
    }
    // No badge points to a case that cannot be opened.
    expect(await unreadCounts(c.doctor)).toEqual({ all: 0, consultations: 0 });
  });
});

describe("certification restored", () => {
  test("a reinstated doctor sees the cases the patient kept again, not the revoked ones; the patients are told", async () => {
    const c = await acceptedCase();
    const second = await insertAnalysis(c.patient.id);
    const revokedCase = await shareAnalysis(c.patient, second.id, {
      doctorProfileId: c.profileId,
      message: "Another smear, a week later.",
      consent: true,
    });
    await changeDoctorStatus(c.admin, c.profileId, {
      step: "suspend",
      reason: "Complaint under review",
    });
    await patientAction(
      await post(
        c.patient,
        `/consultations/${revokedCase.id}`,
        { id: revokedCase.id },
        { intent: "revoke" },
      ),
    );

    await changeDoctorStatus(c.admin, c.profileId, { step: "reinstate" });
    expect(await profileOf(c.doctor.id)).toMatchObject({
      status: "verified",
      suspensionReason: null,
    });
    expect(
      (await caseLoader(await get(c.doctor, casePath(c.id), { id: c.id }))).consultation.id,
    ).toBe(c.id);
    const revoked = caseLoader(
      await get(c.doctor, casePath(revokedCase.id), { id: revokedCase.id }),
    );
    expect((await thrownResponse(revoked)).status).toBe(404);
    const restored = (await listNotifications(c.patient)).filter(
      (n) => n.kind === "consultation.access-restored",
    );
    expect(restored.map((n) => n.consultationId)).toEqual([c.id]);
  });

  test("an admin approving a profile that went back to verification restores the access", async () => {
    const c = await acceptedCase();
    await updateOwnProfile(c.doctor, profileInput({ clinicName: "Hôpital Nord" }));
    expect((await profileOf(c.doctor.id)).status).toBe("pending");
    await changeDoctorStatus(c.admin, c.profileId, { step: "approve" });
    expect(
      (await caseLoader(await get(c.doctor, casePath(c.id), { id: c.id }))).consultation.id,
    ).toBe(c.id);
  });
});

describe("the admin suspends and reinstates through /admin/doctors", () => {
  const adminPost = async (admin: TestUser, fields: Record<string, string>) =>
    adminDoctorsAction(await post(admin, "/admin/doctors", {}, fields));

  test("suspend needs a reason (400, nothing changes); with one it is done, confirmed and audited", async () => {
    const c = await acceptedCase();
    const empty = await adminPost(c.admin, {
      intent: "suspend",
      profileId: c.profileId,
      reason: " ",
    });
    expect(statusOf(empty)).toBe(400);
    expect((await profileOf(c.doctor.id)).status).toBe("verified");

    const done = await adminPost(c.admin, {
      intent: "suspend",
      profileId: c.profileId,
      reason: "Licence under investigation",
    });
    expect(done).toMatchObject({
      profileId: c.profileId,
      confirmation: expect.stringMatching(/is suspended/),
    });
    expect(await profileOf(c.doctor.id)).toMatchObject({
      status: "suspended",
      suspensionReason: "Licence under investigation",
      suspendedBy: c.admin.id,
    });
    const dashboard = await dashboardLoader(await get(c.doctor, "/doctor", {}));
    expect(dashboard.verification).toMatchObject({
      status: "suspended",
      suspensionReason: "Licence under investigation",
    });

    // Suspending again (not verified any more) is a 404, and it is audited as denied.
    const again = adminPost(c.admin, {
      intent: "suspend",
      profileId: c.profileId,
      reason: "Twice over",
    });
    expect((await thrownResponse(again)).status).toBe(404);

    const back = await adminPost(c.admin, { intent: "reinstate", profileId: c.profileId });
    expect(back).toMatchObject({ confirmation: expect.stringMatching(/is reinstated/) });
    expect((await profileOf(c.doctor.id)).status).toBe("verified");

    const audits = (
      await getDb()
        .select({
          action: auditLog.action,
          outcome: auditLog.outcome,
          detail: auditLog.detail,
          actorId: auditLog.actorId,
        })
        .from(auditLog)
        .where(and(eq(auditLog.targetType, "doctor_profile"), eq(auditLog.targetId, c.profileId)))
    ).filter((a) => a.action === "doctor.suspend" || a.action === "doctor.reinstate");
    expect(audits).toEqual([
      {
        action: "doctor.suspend",
        outcome: "success",
        detail: "Licence under investigation",
        actorId: c.admin.id,
      },
      { action: "doctor.suspend", outcome: "denied", detail: null, actorId: c.admin.id },
      { action: "doctor.reinstate", outcome: "success", detail: null, actorId: c.admin.id },
    ]);
  });

  test("a doctor or a patient cannot suspend (404); an admin cannot suspend their own profile", async () => {
    const c = await acceptedCase();
    for (const user of [c.doctor, c.patient]) {
      const forged = adminPost(user, {
        intent: "suspend",
        profileId: c.profileId,
        reason: "Forged request",
      });
      expect((await thrownResponse(forged)).status).toBe(404);
    }
    expect((await profileOf(c.doctor.id)).status).toBe("verified");
  });
});

test("a patient closing a case while the doctor is suspended: the doctor's notice names no one", async () => {
  const c = await acceptedCase();
  await answerConsultation(c.doctor, c.id, {
    doctorClass: "benign",
    morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
    recommendations: "No further test needed; repeat the blood count in a year.",
    urgency: "routine",
  });
  await changeDoctorStatus(c.admin, c.profileId, {
    step: "suspend",
    reason: "Complaint under review",
  });
  const closed = await patientAction(
    await post(c.patient, `/consultations/${c.id}`, { id: c.id }, { intent: "close" }),
  );
  expect(statusOf(closed)).toBe(302);
  const notice = (await listNotifications(c.doctor)).find((n) => n.kind === "consultation.closed");
  expect(notice).toMatchObject({ text: "A patient closed a consultation.", link: null });
});

test("notifications of a revoked case name no patient", async () => {
  const c = await acceptedCase();
  await patientAction(
    await post(c.patient, `/consultations/${c.id}`, { id: c.id }, { intent: "revoke" }),
  );
  const mine = await getDb()
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, c.doctor.id), eq(notifications.consultationId, c.id)));
  expect(mine.map((n) => n.kind).sort()).toEqual([
    "consultation.message",
    "consultation.requested",
    "consultation.revoked",
  ]);
  for (const n of mine) expect(n.text).not.toContain(c.patient.displayName);
});
