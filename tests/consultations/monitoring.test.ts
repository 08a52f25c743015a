import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog } from "#db/schema";
import type { ClassId, Verdict } from "~/analyses/vocabulary";
import {
  acceptRequest,
  answerConsultation,
  closeConsultation,
  declineRequest,
  shareAnalysis,
  withdrawRequest,
} from "~/consultations/lifecycle.server";
import { consultationMonitoring } from "~/consultations/monitoring.server";
import { formatDuration, loader } from "~/routes/admin.consultations";
import {
  getRequest,
  insertAnalysis,
  makeCertifiedDoctor,
  makeUser,
  sessionCookieFor,
  thrownResponse,
  fromAddress,
} from "../helpers";

const HOUR = 3_600_000;
const T0 = new Date("2025-03-03T08:00:00Z").getTime();

/** Run `fn` with the clock at T0 + `hours`. */
function at<T>(hours: number, fn: () => T): T {
  vi.setSystemTime(T0 + hours * HOUR);
  return fn();
}

const args = (request: Request) => ({ request, context: {}, params: {} });

async function requestAs(userId: string) {
  return getRequest("/admin/consultations", { Cookie: await sessionCookieFor(userId) });
}

const emptyRow = {
  benign: 0,
  early_pre_b: 0,
  pre_b: 0,
  pro_b: 0,
  no_leukaemia_seen: 0,
  other_leukaemia_suspected: 0,
  reactive_changes: 0,
  not_assessable: 0,
};
const emptyTable = {
  benign: emptyRow,
  early_pre_b: emptyRow,
  pre_b: emptyRow,
  pro_b: emptyRow,
};

type Doctor = Awaited<ReturnType<typeof makeCertifiedDoctor>>;

/** A new patient shares a new analysis with `doctor` at T0; returns the consultation. */
async function shareCase(doctor: Doctor, topClass: ClassId, verdict: Verdict = "ok") {
  const patient = await makeUser("patient");
  const analysis = await insertAnalysis(patient.id, { topClass, verdict });
  const c = await at(0, () =>
    shareAnalysis(patient, analysis.id, {
      doctorProfileId: doctor.profile.id,
      message: "Please look at my smear and tell me what you think.",
      consent: true,
    }),
  );
  return { patient, id: c.id };
}

/** Shared, accepted after `acceptH` hours, answered `doctorClass` after `answerH` hours. */
async function answeredCase(
  doctor: Doctor,
  topClass: ClassId,
  doctorClass: Parameters<typeof answerConsultation>[2]["doctorClass"],
  acceptH: number,
  answerH: number,
  verdict: Verdict = "ok",
) {
  const c = await shareCase(doctor, topClass, verdict);
  await at(acceptH, () => acceptRequest(doctor.user, c.id));
  await at(answerH, () =>
    answerConsultation(doctor.user, c.id, {
      doctorClass,
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: "See a hematologist in clinic for flow cytometry.",
      urgency: "soon",
    }),
  );
  return c;
}

describe("consultation monitoring", () => {
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let drA: Doctor;
  let drB: Doctor;

  beforeAll(async () => {
    admin = await makeUser("admin");
    drA = await makeCertifiedDoctor({ offersTeleconsultation: true });
    drB = await makeCertifiedDoctor({ offersTeleconsultation: true });
  });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  test("with no consultations (this file's private database): zeros, nulls, every cell present", async () => {
    expect(await consultationMonitoring(admin)).toEqual({
      statusCounts: {
        requested: 0,
        accepted: 0,
        declined: 0,
        answered: 0,
        closed: 0,
        withdrawn: 0,
      },
      answered: 0,
      modelCantAssess: 0,
      compared: 0,
      confirmed: 0,
      confirmationRate: null,
      notAssessable: 0,
      agreement: emptyTable,
      medianResponseMs: null,
      medianFirstResponseMs: null,
      topDoctors: [],
    });
  });

  test("counts, agreement, confirmation rate and medians over an even number of cases", async () => {
    // Answered (first response, answer): 1 h / 3 h, confirmed.
    await answeredCase(drA, "early_pre_b", "early_pre_b", 1, 3);
    // 2 h / 10 h, corrected to pro-B.
    await answeredCase(drA, "pre_b", "pro_b", 2, 10);
    // 0.5 h / 5 h, not assessable, then closed by the patient.
    const closed = await answeredCase(drB, "benign", "not_assessable", 0.5, 5);
    await at(6, () => closeConsultation(closed.patient, closed.id));
    // 4 h / 20 h on an image the model could not assess: no staging to confirm.
    await answeredCase(drB, "pro_b", "benign", 4, 20, "cant_assess");
    // Declined after 6 h.
    const declined = await shareCase(drA, "pre_b");
    await at(6, () => declineRequest(drA.user, declined.id, "Outside my field, sorry."));
    // Still waiting.
    await shareCase(drA, "benign");
    // Accepted after 1 h, not answered yet.
    const accepted = await shareCase(drB, "pre_b");
    await at(1, () => acceptRequest(drB.user, accepted.id));
    // Withdrawn by the patient.
    const withdrawn = await shareCase(drB, "pre_b");
    await at(2, () => withdrawRequest(withdrawn.patient, withdrawn.id));

    const m = await consultationMonitoring(admin);
    expect(m.statusCounts).toEqual({
      requested: 1,
      accepted: 1,
      declined: 1,
      answered: 3,
      closed: 1,
      withdrawn: 1,
    });
    expect(m).toMatchObject({
      answered: 4,
      modelCantAssess: 1,
      compared: 3,
      confirmed: 1,
      notAssessable: 1,
    });
    expect(m.confirmationRate).toBeCloseTo(1 / 3);
    expect(m.agreement).toEqual({
      ...emptyTable,
      benign: { ...emptyRow, not_assessable: 1 },
      early_pre_b: { ...emptyRow, early_pre_b: 1 },
      pre_b: { ...emptyRow, pro_b: 1 },
    });
    // Answers after 3, 5, 10, 20 h: the mean of the middle two, not of all four (9.5 h).
    expect(m.medianResponseMs).toBe(7.5 * HOUR);
    // First responses after 0.5, 1, 1, 2, 4, 6 h.
    expect(m.medianFirstResponseMs).toBe(1.5 * HOUR);
    expect(m.topDoctors).toEqual([
      {
        doctorProfileId: drA.profile.id,
        name: drA.user.displayName,
        answered: 2,
        confirmed: 1,
        rate: 0.5,
      },
      {
        doctorProfileId: drB.profile.id,
        name: drB.user.displayName,
        answered: 1,
        confirmed: 0,
        rate: 0,
      },
    ]);
  });

  test("medians over an odd number of cases are the middle value", async () => {
    // Adds a confirmed pro-B case: answers after 3, 5, 8, 10, 20 h; first responses after
    // 0.5, 1, 1, 2, 3, 4, 6 h.
    await answeredCase(drA, "pro_b", "pro_b", 3, 8);
    const m = await consultationMonitoring(admin);
    expect(m.medianResponseMs).toBe(8 * HOUR);
    expect(m.medianFirstResponseMs).toBe(2 * HOUR);
    expect(m).toMatchObject({ answered: 5, compared: 4, confirmed: 2, confirmationRate: 0.5 });
    expect(m.agreement.pro_b).toEqual({ ...emptyRow, pro_b: 1 });
    expect(m.topDoctors[0]).toMatchObject({ doctorProfileId: drA.profile.id, answered: 3 });
  });

  test("no leukaemia seen and reactive changes confirm benign; other leukaemia confirms no class", async () => {
    const drC = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const before = await consultationMonitoring(admin);
    await answeredCase(drC, "benign", "no_leukaemia_seen", 1, 2);
    await answeredCase(drC, "benign", "reactive_changes", 1, 2);
    await answeredCase(drC, "pro_b", "other_leukaemia_suspected", 1, 2);
    const m = await consultationMonitoring(admin);
    expect(m.compared - before.compared).toBe(3);
    expect(m.confirmed - before.confirmed).toBe(2);
    expect(m.agreement.benign).toEqual({
      ...before.agreement.benign,
      no_leukaemia_seen: 1,
      reactive_changes: 1,
    });
    expect(m.agreement.pro_b).toEqual({
      ...before.agreement.pro_b,
      other_leukaemia_suspected: 1,
    });
    expect(m.topDoctors.find((d) => d.doctorProfileId === drC.profile.id)).toMatchObject({
      answered: 3,
      confirmed: 2,
    });
  });

  test("every view is audited", async () => {
    await fromAddress("203.0.113.9", () => consultationMonitoring(admin));
    const rows = await getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.actorId, admin.id), eq(auditLog.action, "admin.consultations.read")));
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.at(-1)).toMatchObject({ outcome: "success", ip: "203.0.113.9" });
  });

  test("a patient and a doctor get 404 from the data function", async () => {
    const patient = await makeUser("patient");
    expect((await thrownResponse(() => consultationMonitoring(patient))).status).toBe(404);
    expect((await thrownResponse(() => consultationMonitoring(drA.user))).status).toBe(404);
  });
});

describe("/admin/consultations", () => {
  test.each(["patient", "doctor"] as const)("a %s gets 404 from the loader", async (role) => {
    const user = await makeUser(role);
    const response = await thrownResponse(loader(args(await requestAs(user.id))));
    expect(response.status).toBe(404);
  });

  test("an anonymous visitor is sent to /login", async () => {
    const response = await thrownResponse(loader(args(getRequest("/admin/consultations"))));
    expect(response.status).toBe(302);
  });

  test("the admin gets the figures", async () => {
    const admin = await makeUser("admin");
    const figures = await loader(args(await requestAs(admin.id)));
    expect(figures).toEqual(await consultationMonitoring(admin));
    // The answered cases of the tests above: 3 + 1 (odd medians) + 3 (answers beyond the classes).
    expect(figures.statusCounts.answered).toBe(7);
  });

  test("durations read in minutes, hours or days", () => {
    expect(formatDuration(45 * 60_000)).toBe("45 min");
    expect(formatDuration(3.2 * HOUR)).toBe("3.2 h");
    expect(formatDuration(36 * HOUR)).toBe("1.5 days");
  });
});
