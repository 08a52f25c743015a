import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, consultationMessages, consultations, doctorProfiles } from "#db/schema";
import { readOwnAnalysisImage } from "~/analyses/analyses.server";
import { createAnalysis } from "~/analyses/create.server";
import { acceptRequest, shareAnalysis } from "~/consultations/lifecycle.server";
import { postMessage } from "~/consultations/messages.server";
import { unreadCounts } from "~/notifications/notifications.server";
import { action as patientAction, loader as patientLoader } from "~/routes/consultations.$id";
import { action as shareAction, loader as shareLoader } from "~/routes/consultations.new";
import { action as caseAction, loader as caseLoader } from "~/routes/doctor.cases.$id";
import { loader as imageLoader } from "~/routes/doctor.cases.$id.image.$file";
import {
  getArgs,
  insertAnalysis,
  makeCertifiedDoctor,
  makeUser,
  postArgs,
  profileOf,
  resultStatus,
  type TestUser,
  thrownResponse,
} from "../helpers";
import { fixedClassifier } from "../analyses/fixtures";
import { smearLikeImage } from "../uploads/images";
import { inTransaction } from "~/data/unit-of-work.server";
import { shareInput } from "./fixtures";

const EVIL = "https://evil.example";

const get = getArgs;
const post = postArgs;
const statusOf = resultStatus;

/** A patient, a certified doctor offering teleconsultation and a requested consultation. */
async function sharedCase({ withImages = false } = {}) {
  const patient = await makeUser("patient");
  const analysis = withImages
    ? await createAnalysis(patient, { bytes: await smearLikeImage() }, fixedClassifier)
    : await insertAnalysis(patient.id);
  const { user: doctor, profile } = await makeCertifiedDoctor({ offersTeleconsultation: true });
  const c = await shareAnalysis(
    patient,
    analysis.id,
    shareInput(profile.id, "The model says pre-B; what should we do next?"),
  );
  return { patient, doctor, profileId: profile.id, analysis, id: c.id };
}

const casePath = (id: string) => `/doctor/cases/${id}`;
const openCase = async (user: TestUser | null, id: string) =>
  caseLoader(await get(user, casePath(id), { id }));
const openImage = async (user: TestUser, id: string, file: string) =>
  imageLoader(await get(user, `${casePath(id)}/image/${file}`, { id, file }));

const VALID_ANSWER = {
  doctorClass: "pro_b",
  morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
  recommendations: "Bone marrow aspiration next week.",
  urgency: "urgent",
};
/** The doctor sends case `id`'s answer form with `fields` (a valid answer by default). */
const sendAnswer = async (
  doctor: TestUser,
  id: string,
  fields: Record<string, string> = VALID_ANSWER,
) => caseAction(await post(doctor, casePath(id), { id }, { intent: "answer", ...fields }));

const consultationRow = async (id: string) =>
  (await getDb().select().from(consultations).where(eq(consultations.id, id)).limit(1))[0]!;
const consultationsOf = (patient: TestUser) =>
  getDb().select().from(consultations).where(eq(consultations.patientId, patient.id));

describe("the doctor's case page", () => {
  test("the case's doctor gets the case, and opening it reads its notifications", async () => {
    const { patient, doctor, analysis, id } = await sharedCase();
    await postMessage(patient, id, "Also: fevers for two weeks.");
    expect(await unreadCounts(doctor)).toEqual({ all: 2, consultations: 1 });
    const page = await openCase(doctor, id);
    expect(page.consultation).toMatchObject({
      id,
      status: "requested",
      message: "The model says pre-B; what should we do next?",
      canPost: true,
    });
    expect(page.analysis.topClass).toBe(analysis.topClass);
    expect(page.messages.map((m) => [m.body, m.mine])).toEqual([
      ["Also: fevers for two weeks.", false],
    ]);
    expect(await unreadCounts(doctor)).toEqual({ all: 0, consultations: 0 });
  });

  test("another doctor, the admin and the patient get 404; nobody signed in goes to /login", async () => {
    const { patient, id } = await sharedCase();
    const { user: other } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const admin = await makeUser("admin");
    for (const user of [other, admin, patient]) {
      expect((await thrownResponse(openCase(user, id))).status).toBe(404);
    }
    const anonymous = await thrownResponse(openCase(null, id));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login\?redirectTo=/);
  });

  test("another doctor cannot act on the case through the action either", async () => {
    const { id } = await sharedCase();
    const { user: other } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const result = await thrownResponse(
      caseAction(await post(other, casePath(id), { id }, { intent: "accept" })),
    );
    expect(result.status).toBe(404);
    expect((await consultationRow(id)).status).toBe("requested");
  });
});

describe("the doctor's case images", () => {
  test("served to the case's doctor only, never cached, never sniffed, and audited", async () => {
    const { patient, doctor, analysis, id } = await sharedCase({ withImages: true });
    const original = await openImage(doctor, id, "original");
    expect(original.status).toBe(200);
    expect(original.headers.get("Content-Type")).toBe("image/jpeg");
    expect(original.headers.get("Cache-Control")).toBe("private, no-store");
    expect(original.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const stored = await readOwnAnalysisImage(patient, analysis.id, "original");
    expect(Buffer.from(await original.arrayBuffer()).equals(stored.bytes)).toBe(true);

    const heatmap = await openImage(doctor, id, "heatmap");
    expect(heatmap.headers.get("Content-Type")).toBe("image/png");
    expect(heatmap.headers.get("Cache-Control")).toBe("private, no-store");
    expect(heatmap.headers.get("X-Content-Type-Options")).toBe("nosniff");

    const audited = (
      await getDb()
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(and(eq(auditLog.actorId, doctor.id), eq(auditLog.targetId, id)))
    ).map((r) => r.action);
    expect(audited).toEqual(
      expect.arrayContaining(["consultation.image.original", "consultation.image.heatmap"]),
    );
  });

  test("another doctor, the patient and an unknown file name get 404", async () => {
    const { patient, doctor, id } = await sharedCase({ withImages: true });
    const { user: other } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    expect((await thrownResponse(openImage(other, id, "original"))).status).toBe(404);
    expect((await thrownResponse(openImage(patient, id, "original"))).status).toBe(404);
    expect((await thrownResponse(openImage(doctor, id, "../../etc/passwd"))).status).toBe(404);
    expect((await thrownResponse(openImage(doctor, id, "original.jpg"))).status).toBe(404);
  });
});

describe("revoking access from the patient's page", () => {
  test("after intent=revoke the doctor gets 404 on the case and on every image", async () => {
    const { patient, doctor, id } = await sharedCase({ withImages: true });
    await acceptRequest(doctor, id);
    expect((await openImage(doctor, id, "original")).status).toBe(200);

    const path = `/consultations/${id}`;
    const result = await patientAction(await post(patient, path, { id }, { intent: "revoke" }));
    expect(result).toBeInstanceOf(Response);
    expect((result as Response).status).toBe(302);
    expect((result as Response).headers.get("Location")).toBe(path);
    expect((await consultationRow(id)).revokedAt).toBeInstanceOf(Date);

    expect((await thrownResponse(openCase(doctor, id))).status).toBe(404);
    for (const file of ["original", "thumbnail", "heatmap"]) {
      expect((await thrownResponse(openImage(doctor, id, file))).status).toBe(404);
    }
    // The patient still has the consultation, marked revoked, with messages closed.
    const page = await patientLoader(await get(patient, path, { id }));
    expect(page.consultation).toMatchObject({ id, revoked: true, canPost: false });
  });

  test("revoking twice is a 409, not a second revocation", async () => {
    const { patient, id } = await sharedCase();
    const path = `/consultations/${id}`;
    await patientAction(await post(patient, path, { id }, { intent: "revoke" }));
    const first = (await consultationRow(id)).revokedAt;
    const again = await patientAction(await post(patient, path, { id }, { intent: "revoke" }));
    expect(statusOf(again)).toBe(409);
    expect((await consultationRow(id)).revokedAt).toEqual(first);
  });

  test("another patient cannot revoke (404), and nothing changes", async () => {
    const { id } = await sharedCase();
    const stranger = await makeUser("patient");
    const path = `/consultations/${id}`;
    const response = await thrownResponse(
      patientAction(await post(stranger, path, { id }, { intent: "revoke" })),
    );
    expect(response.status).toBe(404);
    expect((await consultationRow(id)).revokedAt).toBeNull();
  });
});

describe("sharing a case (consultations.new)", () => {
  test("the analysis list tells same-day analyses of the same class apart", async () => {
    const patient = await makeUser("patient");
    const { profile } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const at = new Date("2026-11-30T09:15:00Z");
    await insertAnalysis(patient.id, { createdAt: at });
    await insertAnalysis(patient.id, { createdAt: at });
    await insertAnalysis(patient.id, { createdAt: new Date("2026-11-30T17:40:00Z") });
    const data = (await shareLoader(
      await get(patient, `/consultations/new?doctor=${profile.id}`, {}),
    )) as { analyses: { label: string }[] };
    const labels = data.analyses.map((a) => a.label);
    expect(new Set(labels).size).toBe(3);
    expect(labels).toContain("2026-11-30 17:40 UTC · Early pre-B ALL, low confidence");
  });

  async function setup(offersTeleconsultation = true) {
    const patient = await makeUser("patient");
    const analysis = await insertAnalysis(patient.id);
    const { profile } = await makeCertifiedDoctor({ offersTeleconsultation });
    const fields = {
      analysisId: analysis.id,
      doctorProfileId: profile.id,
      message: "The model says pre-B; what should we do next?",
      consent: "on",
    };
    return { patient, analysis, profileId: profile.id, fields };
  }
  const share = async (user: TestUser, fields: Record<string, string>, headers = {}) =>
    shareAction(await post(user, "/consultations/new", {}, fields, headers));

  test("without the consent box: 400 with the message on the field, and no consultation", async () => {
    const { patient, fields } = await setup();
    const { consent: _consent, ...withoutConsent } = fields;
    const result = await share(patient, withoutConsent);
    expect(statusOf(result)).toBe(400);
    // The action answers with the conform reply itself.
    const reply = (result as unknown as { data: { error?: Record<string, string[]> } }).data;
    expect(reply.error?.consent).toEqual([
      "Tick the box to let this doctor see the image and result",
    ]);
    expect(await consultationsOf(patient)).toEqual([]);
  });

  test("a message that is too short: 400, and no consultation", async () => {
    const { patient, fields } = await setup();
    expect(statusOf(await share(patient, { ...fields, message: "  help  " }))).toBe(400);
    expect(await consultationsOf(patient)).toEqual([]);
  });

  test("valid input creates the consultation and redirects to it", async () => {
    const { patient, analysis, profileId, fields } = await setup();
    const result = await share(patient, { ...fields, ageBracket: "adult" });
    const rows = await consultationsOf(patient);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      analysisId: analysis.id,
      doctorProfileId: profileId,
      status: "requested",
      ageBracket: "adult",
      message: fields.message,
    });
    expect(rows[0]!.consentAt).toBeInstanceOf(Date);
    expect(result).toBeInstanceOf(Response);
    expect((result as Response).status).toBe(302);
    expect((result as Response).headers.get("Location")).toBe(`/consultations/${rows[0]!.id}`);
  });

  test("a doctor without teleconsultation: 400, and no consultation", async () => {
    const { patient, fields } = await setup(false);
    expect(statusOf(await share(patient, fields))).toBe(400);
    expect(await consultationsOf(patient)).toEqual([]);
  });

  test("someone else's analysis: 404, and no consultation", async () => {
    const { patient: owner, fields } = await setup();
    const stranger = await makeUser("patient");
    expect((await thrownResponse(share(stranger, fields))).status).toBe(404);
    expect(await consultationsOf(stranger)).toEqual([]);
    expect(await consultationsOf(owner)).toEqual([]);
  });

  test("an unverified or unknown doctor: 400 with a message, and no consultation", async () => {
    const { patient, fields } = await setup();
    const pending = await makeUser("doctor");
    for (const doctorProfileId of [(await profileOf(pending.id)).id, crypto.randomUUID()]) {
      const result = await share(patient, { ...fields, doctorProfileId });
      expect(statusOf(result)).toBe(400);
      expect((result as { data: { error?: Record<string, string[]> } }).data.error?.[""]).toEqual([
        "This hematologist cannot receive cases at the moment. Choose another one in the doctor finder.",
      ]);
    }
    expect(await consultationsOf(patient)).toEqual([]);
  });

  test("a doctor not accepting new patients: 400 for a new patient, allowed for a returning one", async () => {
    const { patient, analysis, profileId, fields } = await setup();
    expect(statusOf(await share(patient, fields))).toBe(302);
    await inTransaction(({ tx }) =>
      tx
        .update(doctorProfiles)
        .set({ acceptsNewPatients: false })
        .where(eq(doctorProfiles.id, profileId)),
    );
    const newcomer = await makeUser("patient");
    const theirs = await insertAnalysis(newcomer.id);
    const refused = await share(newcomer, { ...fields, analysisId: theirs.id });
    expect(statusOf(refused)).toBe(400);
    expect(
      (refused as { data: { error?: Record<string, string[]> } }).data.error?.[""]?.[0],
    ).toMatch(/not accepting new patients/);
    expect(await consultationsOf(newcomer)).toEqual([]);
    const second = await insertAnalysis(patient.id);
    expect(statusOf(await share(patient, { ...fields, analysisId: second.id }))).toBe(302);
    expect((await consultationsOf(patient)).map((c) => c.analysisId).sort()).toEqual(
      [analysis.id, second.id].sort(),
    );
  });

  test("sharing the same case with the same doctor twice: 409, one consultation", async () => {
    const { patient, fields } = await setup();
    expect(statusOf(await share(patient, fields))).toBe(302);
    expect(statusOf(await share(patient, fields))).toBe(409);
    expect(await consultationsOf(patient)).toHaveLength(1);
  });

  test("a doctor cannot share (404)", async () => {
    const { fields } = await setup();
    const { user: doctor } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    expect((await thrownResponse(share(doctor, fields))).status).toBe(404);
  });
});

describe("the doctor's answer and the messages by form", () => {
  test("an answer with an invalid class: 400, and nothing changes", async () => {
    const { patient, doctor, id } = await sharedCase();
    await acceptRequest(doctor, id);
    const before = await consultationRow(id);
    const unreadBefore = await unreadCounts(patient);
    const result = await sendAnswer(doctor, id, {
      doctorClass: "leukemia",
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: "Flow cytometry of peripheral blood.",
      urgency: "soon",
    });
    expect(statusOf(result)).toBe(400);
    const after = await consultationRow(id);
    expect(after).toEqual(before);
    expect(after).toMatchObject({
      status: "accepted",
      doctorClass: null,
      recommendations: null,
      morphology: null,
      answeredAt: null,
    });
    expect(await unreadCounts(patient)).toEqual(unreadBefore);
    const answerAudits = await getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "consultation.answer"), eq(auditLog.targetId, id)));
    expect(answerAudits).toEqual([]);
  });

  test("a valid answer is saved and redirects to the case", async () => {
    const { doctor, id } = await sharedCase();
    await acceptRequest(doctor, id);
    const result = await sendAnswer(doctor, id);
    expect((result as Response).status).toBe(302);
    expect((result as Response).headers.get("Location")).toBe(casePath(id));
    expect(await consultationRow(id)).toMatchObject({
      status: "answered",
      doctorClass: "pro_b",
      urgency: "urgent",
    });
  });

  test("an answer beyond the four classes keeps the morphology apart from the advice", async () => {
    const { doctor, id } = await sharedCase();
    await acceptRequest(doctor, id);
    const result = await sendAnswer(doctor, id, {
      doctorClass: "other_leukaemia_suspected",
      morphology: "  Large blasts with Auer rods; myeloid, not lymphoid.  ",
      recommendations: "Please see a hematologist in person this week.",
      urgency: "soon",
    });
    expect((result as Response).status).toBe(302);
    expect(await consultationRow(id)).toMatchObject({
      status: "answered",
      doctorClass: "other_leukaemia_suspected",
      morphology: "Large blasts with Auer rods; myeloid, not lymphoid.",
      recommendations: "Please see a hematologist in person this week.",
    });
  });

  test("an answer without a morphology comment or with over-long advice: 400, nothing written", async () => {
    const { doctor, id } = await sharedCase();
    await acceptRequest(doctor, id);
    const before = await consultationRow(id);
    const result = await sendAnswer(doctor, id, {
      doctorClass: "reactive_changes",
      morphology: "Reactive",
      recommendations: "x".repeat(4001),
      urgency: "routine",
    });
    expect(statusOf(result)).toBe(400);
    const reply = (result as { data: { error?: Record<string, string[]> } }).data;
    expect(reply.error?.morphology).toEqual([
      "Describe what you saw in the smear (at least 10 characters)",
    ]);
    expect(reply.error?.recommendations).toEqual([
      "Keep the advice to the patient to at most 4,000 characters",
    ]);
    expect(await consultationRow(id)).toEqual(before);
  });

  test("answering a request not yet accepted: 409, and nothing changes", async () => {
    const { doctor, id } = await sharedCase();
    const result = await sendAnswer(doctor, id);
    expect(statusOf(result)).toBe(409);
    expect(await consultationRow(id)).toMatchObject({ status: "requested", doctorClass: null });
  });

  test("an empty message: 400 on both pages, and no message", async () => {
    const { patient, doctor, id } = await sharedCase();
    const messages = () =>
      getDb()
        .select()
        .from(consultationMessages)
        .where(eq(consultationMessages.consultationId, id));
    for (const body of ["", "   \n  "]) {
      const fromPatient = await patientAction(
        await post(patient, `/consultations/${id}`, { id }, { intent: "message", body }),
      );
      expect(statusOf(fromPatient)).toBe(400);
      expect((fromPatient as { data: { error?: { body?: string[] } } }).data.error?.body?.[0]).toBe(
        "Write a message",
      );
      const fromDoctor = await caseAction(
        await post(doctor, casePath(id), { id }, { intent: "message", body }),
      );
      expect(statusOf(fromDoctor)).toBe(400);
    }
    const missing = await caseAction(
      await post(doctor, casePath(id), { id }, { intent: "message" }),
    );
    expect(statusOf(missing)).toBe(400);
    expect(await messages()).toEqual([]);
  });

  test("a message by form is saved (trimmed) and redirects to the thread", async () => {
    const { patient, doctor, id } = await sharedCase();
    const result = await patientAction(
      await post(patient, `/consultations/${id}`, { id }, { intent: "message", body: "  Hello  " }),
    );
    expect((result as Response).headers.get("Location")).toBe(`/consultations/${id}#messages`);
    const fromDoctor = await caseAction(
      await post(doctor, casePath(id), { id }, { intent: "message", body: "Hi there" }),
    );
    expect((fromDoctor as Response).headers.get("Location")).toBe(`${casePath(id)}#messages`);
    const page = await patientLoader(await get(patient, `/consultations/${id}`, { id }));
    expect(page.messages.map((m) => [m.body, m.mine])).toEqual([
      ["Hello", true],
      ["Hi there", false],
    ]);
  });

  test("an unknown intent is a 404", async () => {
    const { patient, doctor, id } = await sharedCase();
    const a = patientAction(await post(patient, `/consultations/${id}`, { id }, { intent: "x" }));
    expect((await thrownResponse(a)).status).toBe(404);
    const b = caseAction(await post(doctor, casePath(id), { id }, { intent: "x" }));
    expect((await thrownResponse(b)).status).toBe(404);
  });
});

describe("cross-site POSTs are refused", () => {
  test("revoke, message, accept and share from another site: 403, nothing changes", async () => {
    const { patient, doctor, analysis, profileId, id } = await sharedCase();
    const path = `/consultations/${id}`;
    const crossSite: Record<string, string>[] = [
      { Origin: EVIL },
      { "Sec-Fetch-Site": "cross-site" },
      { Origin: "null" },
    ];
    for (const headers of crossSite) {
      const revoke = patientAction(
        await post(patient, path, { id }, { intent: "revoke" }, headers),
      );
      expect((await thrownResponse(revoke)).status).toBe(403);
      const message = patientAction(
        await post(patient, path, { id }, { intent: "message", body: "Forged" }, headers),
      );
      expect((await thrownResponse(message)).status).toBe(403);
      const accept = caseAction(
        await post(doctor, casePath(id), { id }, { intent: "accept" }, headers),
      );
      expect((await thrownResponse(accept)).status).toBe(403);
      const other = await insertAnalysis(patient.id);
      const share = shareAction(
        await post(
          patient,
          "/consultations/new",
          {},
          {
            analysisId: other.id,
            doctorProfileId: profileId,
            message: "A forged request from another site.",
            consent: "on",
          },
          headers,
        ),
      );
      expect((await thrownResponse(share)).status).toBe(403);
    }
    expect(await consultationRow(id)).toMatchObject({ status: "requested", revokedAt: null });
    expect((await consultationsOf(patient)).map((c) => c.analysisId)).toEqual([analysis.id]);
    expect(
      await getDb()
        .select()
        .from(consultationMessages)
        .where(eq(consultationMessages.consultationId, id)),
    ).toEqual([]);
  });
});
