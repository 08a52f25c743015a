import { and, eq, inArray } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, consultations, notifications, type Notification } from "#db/schema";
import {
  acceptRequest,
  answerConsultation,
  closeConsultation,
  declineRequest,
  revokeAccess,
  withdrawRequest,
} from "~/consultations/lifecycle.server";
import { autoCloseAnswered } from "~/consultations/scheduling.server";
import { postMessage } from "~/consultations/messages.server";
import { getEnv } from "~/env.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { setMailTransport, type Mail } from "~/notifications/mail.server";
import {
  listNotifications,
  markAllRead,
  markConsultationRead,
  notify,
  unreadByConsultation,
  unreadCounts,
} from "~/notifications/notifications.server";
import { getOwnReview, saveOwnReview } from "~/reviews/reviews.server";
import { insertAnalysis, makeCertifiedDoctor, makeUser, type TestUser } from "../helpers";
import { answeredCase, shareCase, sharedCase } from "./fixtures";

const DAY = 86_400_000;

const answer = {
  doctorClass: "pro_b",
  morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
  recommendations: "Bone marrow aspiration at the university hospital next week.",
  urgency: "urgent",
} as const;

const allOf = (user: { id: string }) =>
  getDb().select().from(notifications).where(eq(notifications.userId, user.id));

/** The notifications each user received while `fn` ran. */
async function received<T>(users: Record<string, { id: string }>, fn: () => T) {
  const before = new Set<string>();
  for (const u of Object.values(users)) for (const n of await allOf(u)) before.add(n.id);
  await fn();
  const out: Record<string, Pick<Notification, "kind" | "link" | "consultationId">[]> = {};
  for (const [name, user] of Object.entries(users)) {
    out[name] = (await allOf(user))
      .filter((n) => !before.has(n.id))
      .map(({ kind, link, consultationId }) => ({ kind, link, consultationId }));
  }
  return out;
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const url = (path: string) => new URL(path, getEnv().APP_URL).toString();

describe("notifications of the lifecycle", () => {
  test("requested → accepted → answered → closed → revoked: each step tells the other side", async () => {
    const patient = await makeUser("patient");
    const analysis = await insertAnalysis(patient.id);
    const dr = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const both = { patient, doctor: dr.user };
    let id = "";

    expect(
      await received(both, async () => {
        id = (await shareCase(patient, analysis.id, dr.profile.id)).id;
      }),
    ).toEqual({
      patient: [],
      doctor: [{ kind: "consultation.requested", link: `/doctor/cases/${id}`, consultationId: id }],
    });
    expect(await received(both, () => acceptRequest(dr.user, id))).toEqual({
      patient: [
        { kind: "consultation.accepted", link: `/consultations/${id}`, consultationId: id },
      ],
      doctor: [],
    });
    expect(await received(both, () => answerConsultation(dr.user, id, answer))).toEqual({
      patient: [
        { kind: "consultation.answered", link: `/consultations/${id}`, consultationId: id },
      ],
      doctor: [],
    });
    expect(await received(both, () => closeConsultation(patient, id))).toEqual({
      patient: [],
      doctor: [{ kind: "consultation.closed", link: `/doctor/cases/${id}`, consultationId: id }],
    });
    expect(await received(both, () => revokeAccess(patient, id))).toEqual({
      patient: [],
      doctor: [{ kind: "consultation.revoked", link: null, consultationId: id }],
    });
  });

  test("a decline tells the patient; a withdrawal tells the doctor, with nothing to open", async () => {
    const declined = await sharedCase();
    expect(
      await received({ patient: declined.patient, doctor: declined.doctor }, () =>
        declineRequest(declined.doctor, declined.id, "Outside my field."),
      ),
    ).toEqual({
      patient: [
        {
          kind: "consultation.declined",
          link: `/consultations/${declined.id}`,
          consultationId: declined.id,
        },
      ],
      doctor: [],
    });

    const withdrawn = await sharedCase();
    const parties = { patient: withdrawn.patient, doctor: withdrawn.doctor };
    expect(await received(parties, () => withdrawRequest(withdrawn.patient, withdrawn.id))).toEqual(
      {
        patient: [],
        doctor: [{ kind: "consultation.withdrawn", link: null, consultationId: withdrawn.id }],
      },
    );
  });

  test("the in-app text names who acted", async () => {
    const { patient, doctor, id } = await sharedCase();
    expect((await listNotifications(doctor))[0]!.text).toContain(patient.displayName);
    await acceptRequest(doctor, id);
    expect((await listNotifications(patient))[0]!.text).toContain(doctor.displayName);
  });

  test("a message tells the other side, never the author", async () => {
    const c = await sharedCase();
    const both = { patient: c.patient, doctor: c.doctor };
    expect(await received(both, () => postMessage(c.patient, c.id, "She has had fevers."))).toEqual(
      {
        patient: [],
        doctor: [
          { kind: "consultation.message", link: `/doctor/cases/${c.id}`, consultationId: c.id },
        ],
      },
    );
    expect(await received(both, () => postMessage(c.doctor, c.id, "Any bruising?"))).toEqual({
      patient: [
        { kind: "consultation.message", link: `/consultations/${c.id}`, consultationId: c.id },
      ],
      doctor: [],
    });
    expect((await listNotifications(c.patient))[0]!.text).toContain(c.doctor.displayName);
  });
});

describe("unread counts and marking read", () => {
  test("counts all unread and distinct consultations, per user", async () => {
    const dr = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const a = await sharedCase(dr);
    const patient = a.patient;
    const analysis = await insertAnalysis(patient.id);
    const b = await shareCase(
      patient,
      analysis.id,
      dr.profile.id,
      "A second smear from last week, please compare.",
    );
    // Patient: accepted + message on A, declined on B. Doctor: requested on A and B, a message on A.
    await acceptRequest(dr.user, a.id);
    await postMessage(dr.user, a.id, "Any bruising?");
    await postMessage(patient, a.id, "Yes, on the legs.");
    await declineRequest(dr.user, b.id, "I will look at the first one only.");

    expect(await unreadCounts(patient)).toEqual({ all: 3, consultations: 2 });
    expect(await unreadByConsultation(patient)).toEqual(
      new Map([
        [a.id, 2],
        [b.id, 1],
      ]),
    );
    expect(await unreadCounts(dr.user)).toEqual({ all: 3, consultations: 2 });
    expect(await unreadByConsultation(dr.user)).toEqual(
      new Map([
        [a.id, 2],
        [b.id, 1],
      ]),
    );
    const nobody = await makeUser("patient");
    expect(await unreadCounts(nobody)).toEqual({ all: 0, consultations: 0 });
    expect((await unreadByConsultation(nobody)).size).toBe(0);
  });

  test("opening a consultation reads only that consultation's notifications, only for that user", async () => {
    const dr = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const a = await sharedCase(dr);
    const analysis = await insertAnalysis(a.patient.id);
    const b = await shareCase(
      a.patient,
      analysis.id,
      dr.profile.id,
      "A second smear from last week, please compare.",
    );
    await acceptRequest(dr.user, a.id);
    await acceptRequest(dr.user, b.id);
    await postMessage(a.patient, a.id, "Thank you!");

    await markConsultationRead(a.patient, a.id);
    expect(await unreadByConsultation(a.patient)).toEqual(new Map([[b.id, 1]]));
    expect(await unreadCounts(a.patient)).toEqual({ all: 1, consultations: 1 });
    // The doctor's notifications about A are untouched.
    expect(await unreadByConsultation(dr.user)).toEqual(
      new Map([
        [a.id, 2],
        [b.id, 1],
      ]),
    );
    const read = (await allOf(a.patient)).filter((n) => n.consultationId === a.id);
    expect(read.every((n) => n.readAt instanceof Date)).toBe(true);

    // Another user "opening" A reads nothing of the patient's or the doctor's.
    const stranger = await makeUser("doctor");
    await markConsultationRead(stranger, b.id);
    expect(await unreadCounts(a.patient)).toEqual({ all: 1, consultations: 1 });
    expect(await unreadCounts(dr.user)).toEqual({ all: 3, consultations: 2 });

    await markConsultationRead(dr.user, b.id);
    expect(await unreadByConsultation(dr.user)).toEqual(new Map([[a.id, 2]]));
    expect(await unreadCounts(a.patient)).toEqual({ all: 1, consultations: 1 });
  });

  test("marking a consultation read again keeps the first read time", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const { patient, doctor, id } = await sharedCase();
      await acceptRequest(doctor, id);
      vi.setSystemTime(new Date("2025-06-01T10:00:00Z"));
      await markConsultationRead(patient, id);
      vi.setSystemTime(new Date("2025-06-02T10:00:00Z"));
      await markConsultationRead(patient, id);
      expect((await allOf(patient)).map((n) => n.readAt)).toEqual([
        new Date("2025-06-01T10:00:00Z"),
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  test("mark all read: only the acting user's, and says how many", async () => {
    const dr = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const a = await sharedCase(dr);
    const b = await sharedCase(dr);
    await acceptRequest(dr.user, a.id);
    await declineRequest(dr.user, b.id, "Outside my field.");
    await postMessage(a.patient, a.id, "Thank you!");

    expect(await markAllRead(dr.user)).toBe(3);
    expect(await unreadCounts(dr.user)).toEqual({ all: 0, consultations: 0 });
    expect((await unreadByConsultation(dr.user)).size).toBe(0);
    expect(await unreadCounts(a.patient)).toEqual({ all: 1, consultations: 1 });
    expect(await unreadCounts(b.patient)).toEqual({ all: 1, consultations: 1 });
    expect(await markAllRead(dr.user)).toBe(0);
    // Read notifications stay listed.
    expect(await listNotifications(dr.user)).toHaveLength(3);
    expect((await listNotifications(dr.user)).every((n) => n.readAt !== null)).toBe(true);
  });
});

describe("e-mail", () => {
  const mails: Mail[] = [];

  beforeAll(() => {
    setMailTransport({
      async send(mail) {
        mails.push(mail);
      },
    });
  });

  beforeEach(async () => {
    // Mails of earlier tests still queued go out now, before the slate is wiped.
    await flush();
    mails.length = 0;
  });

  afterAll(() => {
    setMailTransport(undefined);
  });

  /** The mails sent after `fn`, once the queued sends have run. */
  async function mailsOf(fn: () => unknown) {
    await flush();
    mails.length = 0;
    await fn();
    expect(mails).toEqual([]);
    await flush();
    return mails.splice(0);
  }

  test("one mail per notification, to the recipient, with the link and nothing private", async () => {
    const secretMessage = "She has had night sweats since March and a lump in her neck.";
    const patient = await makeUser("patient");
    const analysis = await insertAnalysis(patient.id, { topClass: "pre_b" });
    const dr = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const doctor = dr.user;
    let id = "";
    const sent: Mail[] = [];
    const expectOne = (batch: Mail[], to: TestUser, path: string) => {
      expect(batch).toHaveLength(1);
      expect(batch[0]!.to).toBe(to.email);
      expect(batch[0]!.text).toContain(url(path));
      expect(batch[0]!.subject).toMatch(/^HemaLink: /);
      sent.push(...batch);
    };

    expectOne(
      await mailsOf(async () => {
        id = (await shareCase(patient, analysis.id, dr.profile.id, secretMessage)).id;
      }),
      doctor,
      `/doctor/cases/${id}`,
    );
    expectOne(await mailsOf(() => acceptRequest(doctor, id)), patient, `/consultations/${id}`);
    const secretPatientMessage = "My daughter also bleeds from the gums when brushing.";
    expectOne(
      await mailsOf(() => postMessage(patient, id, secretPatientMessage)),
      doctor,
      `/doctor/cases/${id}`,
    );
    const secretDoctorMessage = "Please avoid ibuprofen until we know more.";
    expectOne(
      await mailsOf(() => postMessage(doctor, id, secretDoctorMessage)),
      patient,
      `/consultations/${id}`,
    );
    expectOne(
      await mailsOf(() => answerConsultation(doctor, id, answer)),
      patient,
      `/consultations/${id}`,
    );
    expectOne(await mailsOf(() => closeConsultation(patient, id)), doctor, `/doctor/cases/${id}`);
    // Nothing to open any more: the mail points to the notifications page.
    expectOne(await mailsOf(() => revokeAccess(patient, id)), doctor, "/notifications");

    const notified = [...(await allOf(patient)), ...(await allOf(doctor))];
    expect(sent).toHaveLength(notified.length);

    for (const mail of sent) {
      const whole = `${mail.subject}\n${mail.text}`;
      for (const secret of [
        secretMessage,
        secretPatientMessage,
        secretDoctorMessage,
        answer.recommendations,
        patient.displayName,
        doctor.displayName,
      ]) {
        expect(whole).not.toContain(secret);
      }
      expect(whole).not.toMatch(/pre[-_ ]?b|pro[-_ ]?b|benign|leuk/i);
      expect(whole).not.toMatch(/urgent/i);
    }
  });

  test("a decline and a withdrawal mail the other side once each", async () => {
    const declined = await sharedCase();
    const withdrawn = await sharedCase();
    const a = await mailsOf(() =>
      declineRequest(declined.doctor, declined.id, "Outside my field."),
    );
    expect(a.map((m) => m.to)).toEqual([declined.patient.email]);
    expect(a[0]!.text).toContain(url(`/consultations/${declined.id}`));
    expect(a[0]!.text).not.toContain("Outside my field");
    const b = await mailsOf(() => withdrawRequest(withdrawn.patient, withdrawn.id));
    expect(b.map((m) => m.to)).toEqual([withdrawn.doctor.email]);
    expect(b[0]!.text).toContain(url("/notifications"));
  });

  test("a notification in a transaction that rolls back sends no mail and leaves no row", async () => {
    const user = await makeUser("patient");
    const accepted = {
      userId: user.id,
      kind: "consultation.accepted" as const,
      text: "Accepted.",
      link: "/consultations",
    };
    await flush();
    mails.length = 0;
    await expect(
      inTransaction(async (uow) => {
        await notify(uow, accepted);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await flush();
    expect(mails).toEqual([]);
    expect(await allOf(user)).toEqual([]);

    // The same notification in a transaction that commits does send its mail.
    await inTransaction(async (uow) => {
      await notify(uow, accepted);
    });
    await flush();
    expect(mails.map((m) => m.to)).toEqual([user.email]);
    expect(await allOf(user)).toHaveLength(1);
  });

  test("a step refused with a conflict sends nothing", async () => {
    const { patient, doctor, id } = await sharedCase();
    await declineRequest(doctor, id, "Outside my field.");
    const before = [...(await allOf(patient)), ...(await allOf(doctor))].length;
    const sent = await mailsOf(async () => {
      await expect(acceptRequest(doctor, id)).rejects.toThrow();
      await expect(postMessage(patient, id, "Why?")).rejects.toThrow();
    });
    expect(sent).toEqual([]);
    expect([...(await allOf(patient)), ...(await allOf(doctor))]).toHaveLength(before);
  });

  test("a failing mail transport does not undo the step; the failure is logged", async () => {
    // The setup file fails a test on any console.error: this one is expected, so it is
    // silenced here and the recorded calls are cleared before the check runs.
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    setMailTransport({
      async send() {
        throw new Error("SMTP is down");
      },
    });
    try {
      const { patient, doctor, id } = await sharedCase();
      await flush();
      errors.mockClear();
      expect((await acceptRequest(doctor, id)).status).toBe("accepted");
      await flush();
      expect(errors).toHaveBeenCalledWith(
        expect.stringContaining(`sending to ${patient.email} failed`),
        expect.any(Error),
      );
    } finally {
      errors.mockClear();
      errors.mockRestore();
      setMailTransport({
        async send(mail) {
          mails.push(mail);
        },
      });
    }
  });
});

describe("closing answered consultations automatically", () => {
  // Far in the past: consultations of other tests, answered now, are never due.
  const T0 = new Date("2020-01-06T12:00:00Z").getTime();

  afterEach(() => {
    vi.useRealTimers();
  });

  test("closes only answered consultations older than the cutoff, and tells their patients", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(T0);
    const dr = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const old = await sharedCase(dr);
    const boundary = await sharedCase(dr);
    const recent = await sharedCase(dr);
    const oldAccepted = await sharedCase(dr);
    const oldRequested = await sharedCase(dr);
    const oldClosed = await sharedCase(dr);

    await acceptRequest(dr.user, oldAccepted.id);
    await acceptRequest(dr.user, old.id);
    await answerConsultation(dr.user, old.id, answer);
    await acceptRequest(dr.user, oldClosed.id);
    await answerConsultation(dr.user, oldClosed.id, answer);
    await closeConsultation(oldClosed.patient, oldClosed.id);
    vi.setSystemTime(T0 + DAY);
    await acceptRequest(dr.user, boundary.id);
    await answerConsultation(dr.user, boundary.id, answer);
    vi.setSystemTime(T0 + 10 * DAY);
    await acceptRequest(dr.user, recent.id);
    await answerConsultation(dr.user, recent.id, answer);

    const now = new Date(T0 + 15 * DAY);
    vi.setSystemTime(T0 + 20 * DAY); // the function must use `now`, not the clock
    const all = {
      old: old.patient,
      boundary: boundary.patient,
      recent: recent.patient,
      doctor: dr.user,
    };
    let closedCount = -1;
    const got = await received(all, async () => {
      closedCount = await autoCloseAnswered(14, now);
    });
    expect(closedCount).toBe(1);

    const statusOf = async (id: string) =>
      (await getDb().select().from(consultations).where(eq(consultations.id, id)).limit(1))[0]!;
    expect(await statusOf(old.id)).toMatchObject({ status: "closed", closedAt: now });
    // Answered exactly 14 days before `now`: not older than the cutoff yet.
    expect((await statusOf(boundary.id)).status).toBe("answered");
    expect((await statusOf(recent.id)).status).toBe("answered");
    expect((await statusOf(oldAccepted.id)).status).toBe("accepted");
    expect((await statusOf(oldRequested.id)).status).toBe("requested");
    expect((await statusOf(oldClosed.id)).closedAt).toEqual(new Date(T0));

    expect(got).toEqual({
      old: [
        { kind: "consultation.closed", link: `/consultations/${old.id}`, consultationId: old.id },
      ],
      boundary: [],
      recent: [],
      doctor: [],
    });
    const auditRows = await getDb()
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, "consultation.auto-close"),
          inArray(auditLog.targetId, [old.id, boundary.id, recent.id]),
        ),
      );
    expect(auditRows.map((r) => [r.targetId, r.actorId])).toEqual([[old.id, null]]);

    // Idempotent: a second run closes nothing more and notifies nobody.
    const again = await received(all, async () => expect(await autoCloseAnswered(14, now)).toBe(0));
    expect(Object.values(again).flat()).toEqual([]);

    // Later, the other two are due as well.
    expect(await autoCloseAnswered(14, new Date(T0 + 25 * DAY))).toBe(2);
    expect((await statusOf(boundary.id)).status).toBe("closed");
    expect((await statusOf(recent.id)).status).toBe("closed");
    expect((await statusOf(oldAccepted.id)).status).toBe("accepted");
  });
});

describe("the verified-consultation badge on reviews", () => {
  const review = { rating: 5, body: "Clear explanations and a fast, careful answer. Thank you." };

  test("an answered consultation with that doctor makes the review verified", async () => {
    const { patient, profileId } = await answeredCase(answer);
    await saveOwnReview(patient, profileId, review);
    expect((await getOwnReview(patient, profileId))?.verifiedConsultation).toBe(true);
  });

  test("a closed one counts too, and so does one revoked after the answer", async () => {
    const closed = await answeredCase(answer);
    await closeConsultation(closed.patient, closed.id);
    await saveOwnReview(closed.patient, closed.profileId, review);
    expect((await getOwnReview(closed.patient, closed.profileId))?.verifiedConsultation).toBe(true);

    const revoked = await answeredCase(answer);
    await revokeAccess(revoked.patient, revoked.id);
    await saveOwnReview(revoked.patient, revoked.profileId, review);
    expect((await getOwnReview(revoked.patient, revoked.profileId))?.verifiedConsultation).toBe(
      true,
    );
  });

  test("no consultation, or one never answered, leaves the review unverified", async () => {
    const dr = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const none = await makeUser("patient");
    await saveOwnReview(none, dr.profile.id, review);
    expect((await getOwnReview(none, dr.profile.id))?.verifiedConsultation).toBe(false);

    const requested = await sharedCase(dr);
    const accepted = await sharedCase(dr);
    await acceptRequest(dr.user, accepted.id);
    const declined = await sharedCase(dr);
    await declineRequest(dr.user, declined.id, "Outside my field.");
    const withdrawn = await sharedCase(dr);
    await withdrawRequest(withdrawn.patient, withdrawn.id);
    for (const c of [requested, accepted, declined, withdrawn]) {
      await saveOwnReview(c.patient, dr.profile.id, review);
      expect((await getOwnReview(c.patient, dr.profile.id))?.verifiedConsultation).toBe(false);
    }
  });

  test("an answer from another doctor does not verify a review of this one", async () => {
    const { patient } = await answeredCase(answer);
    const other = await makeCertifiedDoctor({ offersTeleconsultation: true });
    await saveOwnReview(patient, other.profile.id, review);
    expect((await getOwnReview(patient, other.profile.id))?.verifiedConsultation).toBe(false);
  });

  test("a review written while waiting becomes verified when edited after the answer", async () => {
    const { patient, doctor, profileId, id } = await sharedCase();
    await saveOwnReview(patient, profileId, {
      rating: 3,
      body: "Still waiting for the answer, so far ok.",
    });
    expect((await getOwnReview(patient, profileId))?.verifiedConsultation).toBe(false);
    await acceptRequest(doctor, id);
    await answerConsultation(doctor, id, answer);
    await saveOwnReview(patient, profileId, review);
    expect(await getOwnReview(patient, profileId)).toMatchObject({
      verifiedConsultation: true,
      rating: 5,
    });
  });
});
