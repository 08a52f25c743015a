import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog } from "#db/schema";
import {
  acceptRequest,
  answerConsultation,
  closeConsultation,
  declineRequest,
  revokeAccess,
  shareAnalysis,
  withdrawRequest,
} from "~/consultations/lifecycle.server";
import {
  getCaseForDoctor,
  listDoctorCases,
  listOwnConsultations,
} from "~/consultations/queries.server";
import { autoCloseAnswered } from "~/consultations/scheduling.server";
import {
  insertAnalysis,
  makeCertifiedDoctor,
  makeUser,
  statusThrownBy,
  thrownResponse,
} from "../helpers";
import { shareInput } from "./fixtures";

async function doctor(teleconsultation = true) {
  const { user, profile } = await makeCertifiedDoctor({ offersTeleconsultation: teleconsultation });
  return { user, profileId: profile.id };
}

async function patientWithAnalysis() {
  const user = await makeUser("patient");
  return { user, analysis: await insertAnalysis(user.id, { ageBracket: "child" }) };
}

const share = (doctorProfileId: string) =>
  shareInput(doctorProfileId, "My child's smear came back as early pre-B; what should we do next?");

describe("consultations", () => {
  test("requested → accepted → answered → closed, each step stamped and audited", async () => {
    const { user: patient, analysis } = await patientWithAnalysis();
    const { user: dr, profileId } = await doctor();
    const c = await shareAnalysis(patient, analysis.id, share(profileId));
    expect(c).toMatchObject({ status: "requested", ageBracket: "child" });
    expect((await listDoctorCases(dr)).map((x) => x.id)).toEqual([c.id]);
    expect((await getCaseForDoctor(dr, c.id)).analysis.id).toBe(analysis.id);
    expect((await acceptRequest(dr, c.id)).acceptedAt).toBeInstanceOf(Date);
    const answered = await answerConsultation(dr, c.id, {
      doctorClass: "pre_b",
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: "Flow cytometry of peripheral blood, then see me in clinic.",
      urgency: "soon",
    });
    expect(answered).toMatchObject({ status: "answered", doctorClass: "pre_b", urgency: "soon" });
    expect((await closeConsultation(patient, c.id)).status).toBe("closed");
    const actions = (
      await getDb()
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(eq(auditLog.targetId, c.id))
    ).map((a) => a.action);
    for (const a of [
      "consultation.request",
      "consultation.read",
      "consultation.accept",
      "consultation.answer",
      "consultation.close",
    ]) {
      expect(actions).toContain(a);
    }
  });

  test("another doctor and the admin get 404; after the patient revokes, the doctor does too", async () => {
    const { user: patient, analysis } = await patientWithAnalysis();
    const { user: dr, profileId } = await doctor();
    const { user: other } = await doctor();
    const admin = await makeUser("admin");
    const c = await shareAnalysis(patient, analysis.id, share(profileId));
    expect((await thrownResponse(() => getCaseForDoctor(other, c.id))).status).toBe(404);
    expect((await thrownResponse(() => getCaseForDoctor(admin, c.id))).status).toBe(404);
    expect((await thrownResponse(() => acceptRequest(other, c.id))).status).toBe(404);
    await revokeAccess(patient, c.id);
    expect((await thrownResponse(() => getCaseForDoctor(dr, c.id))).status).toBe(404);
    expect(await listDoctorCases(dr)).toEqual([]);
  });

  test("a request can be withdrawn before an answer, not after; a decline carries its reason", async () => {
    const { user: patient, analysis } = await patientWithAnalysis();
    const { user: dr, profileId } = await doctor();
    const first = await shareAnalysis(patient, analysis.id, share(profileId));
    expect((await withdrawRequest(patient, first.id)).status).toBe("withdrawn");
    expect((await thrownResponse(() => getCaseForDoctor(dr, first.id))).status).toBe(404);

    const second = await shareAnalysis(patient, analysis.id, share(profileId));
    await declineRequest(
      dr,
      second.id,
      "I do not see children; please ask a pediatric hematologist.",
    );
    expect((await listOwnConsultations(patient, analysis.id))[0]).toMatchObject({
      status: "declined",
      declineReason: "I do not see children; please ask a pediatric hematologist.",
    });
    expect(await statusThrownBy(() => withdrawRequest(patient, second.id))).toBe(409);
  });

  test("refusals: someone else's analysis, a doctor without teleconsultation, a duplicate request", async () => {
    const { user: patient, analysis } = await patientWithAnalysis();
    const { user: stranger } = await patientWithAnalysis();
    const { profileId } = await doctor();
    const { profileId: inPersonOnly } = await doctor(false);
    expect(
      (await thrownResponse(() => shareAnalysis(stranger, analysis.id, share(profileId)))).status,
    ).toBe(404);
    expect(
      await statusThrownBy(() => shareAnalysis(patient, analysis.id, share(inPersonOnly))),
    ).toBe(400);
    await shareAnalysis(patient, analysis.id, share(profileId));
    expect(await statusThrownBy(() => shareAnalysis(patient, analysis.id, share(profileId)))).toBe(
      409,
    );
  });

  test("answered consultations close automatically after the configured days", async () => {
    const { user: patient, analysis } = await patientWithAnalysis();
    const { user: dr, profileId } = await doctor();
    const c = await shareAnalysis(patient, analysis.id, share(profileId));
    await acceptRequest(dr, c.id);
    await answerConsultation(dr, c.id, {
      doctorClass: "early_pre_b",
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: "Confirmed; see a specialist.",
      urgency: "urgent",
    });
    expect(await autoCloseAnswered(14)).toBe(0);
    expect(
      await autoCloseAnswered(14, new Date(Date.now() + 15 * 86_400_000)),
    ).toBeGreaterThanOrEqual(1);
    expect((await listOwnConsultations(patient))[0]!.status).toBe("closed");
  });
});
