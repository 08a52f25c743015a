import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, consultationMessages } from "#db/schema";
import {
  acceptRequest,
  answerConsultation,
  closeConsultation,
  declineRequest,
  revokeAccess,
  withdrawRequest,
} from "~/consultations/lifecycle.server";
import { canPostMessages, listMessages, postMessage } from "~/consultations/messages.server";
import { DomainError } from "~/errors/domain-error";
import { statusOf } from "~/http/errors.server";
import {
  fromAddress,
  makeCertifiedDoctor,
  makeUser,
  statusThrownBy,
  type TestUser,
  thrownResponse,
} from "../helpers";
import { sharedCase } from "./fixtures";

const MINUTE = 60_000;
const T0 = new Date("2025-05-05T09:00:00Z").getTime();

const answer = {
  doctorClass: "pre_b",
  morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
  recommendations: "Flow cytometry, then see me in clinic.",
  urgency: "soon",
} as const;

const messageCount = async (id: string) =>
  (
    await getDb()
      .select({ id: consultationMessages.id })
      .from(consultationMessages)
      .where(eq(consultationMessages.consultationId, id))
  ).length;

async function expect404(fn: () => unknown) {
  expect((await thrownResponse(fn)).status).toBe(404);
}

async function expect409(fn: () => unknown) {
  let thrown: unknown;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DomainError);
  expect(statusOf(thrown as DomainError)).toBe(409);
}

describe("the message thread", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("both sides post while requested, accepted and answered; both read it oldest first", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { patient, doctor, id } = await sharedCase();
    vi.setSystemTime(T0);
    await postMessage(patient, id, "One more thing: she has had fevers for two weeks.");
    vi.setSystemTime(T0 + MINUTE);
    await acceptRequest(doctor, id);
    await postMessage(doctor, id, "Thank you. Any bruising or bone pain?");
    vi.setSystemTime(T0 + 2 * MINUTE);
    await postMessage(patient, id, "Some bruising on the legs.");
    vi.setSystemTime(T0 + 3 * MINUTE);
    await answerConsultation(doctor, id, answer);
    await postMessage(doctor, id, "Please book the flow cytometry this week.");
    vi.setSystemTime(T0 + 4 * MINUTE);
    await postMessage(patient, id, "Booked for Thursday.");

    const bodies = [
      "One more thing: she has had fevers for two weeks.",
      "Thank you. Any bruising or bone pain?",
      "Some bruising on the legs.",
      "Please book the flow cytometry this week.",
      "Booked for Thursday.",
    ];
    const forPatient = await listMessages(patient, id);
    expect(forPatient.map((m) => m.body)).toEqual(bodies);
    expect(forPatient.map((m) => m.mine)).toEqual([true, false, true, false, true]);
    expect(forPatient.map((m) => m.authorId)).toEqual([
      patient.id,
      doctor.id,
      patient.id,
      doctor.id,
      patient.id,
    ]);
    expect(forPatient[1]).toMatchObject({
      authorName: doctor.displayName,
      createdAt: new Date(T0 + MINUTE),
    });

    const forDoctor = await listMessages(doctor, id);
    expect(forDoctor.map((m) => m.body)).toEqual(bodies);
    expect(forDoctor.map((m) => m.mine)).toEqual([false, true, false, true, false]);
    expect(forDoctor[0]!.authorName).toBe(patient.displayName);
  });

  test("messages posted within the same millisecond keep the order they were posted in", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { patient, doctor, id } = await sharedCase();
    vi.setSystemTime(T0);
    const bodies = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"];
    for (const [i, body] of bodies.entries())
      await postMessage(i % 2 === 0 ? patient : doctor, id, body);
    expect((await listMessages(patient, id)).map((m) => m.body)).toEqual(bodies);
  });

  test("a thread starts empty and is per consultation", async () => {
    const first = await sharedCase();
    const second = await sharedCase();
    expect(await listMessages(first.patient, first.id)).toEqual([]);
    await postMessage(first.patient, first.id, "Only in the first thread.");
    expect(await listMessages(second.patient, second.id)).toEqual([]);
    expect(await listMessages(second.doctor, second.id)).toEqual([]);
    expect(await listMessages(first.doctor, first.id)).toHaveLength(1);
  });

  test("bodies are stored and returned verbatim, markup included", async () => {
    const { patient, doctor, id } = await sharedCase();
    const html = `<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes" 'too'\nline two`;
    const row = await postMessage(patient, id, html);
    expect(row.body).toBe(html);
    expect((await listMessages(doctor, id))[0]!.body).toBe(html);
    expect((await listMessages(patient, id))[0]!.body).toBe(html);
  });

  test("withdrawn: the patient gets 409, the doctor no longer sees the case (404)", async () => {
    const { patient, doctor, id } = await sharedCase();
    await postMessage(patient, id, "Before withdrawing.");
    await withdrawRequest(patient, id);
    await expect409(() => postMessage(patient, id, "After withdrawing."));
    await expect404(() => postMessage(doctor, id, "Too late."));
    await expect404(() => listMessages(doctor, id));
    expect((await listMessages(patient, id)).map((m) => m.body)).toEqual(["Before withdrawing."]);
    expect(await messageCount(id)).toBe(1);
  });

  test("declined: both sides get 409", async () => {
    const { patient, doctor, id } = await sharedCase();
    await declineRequest(doctor, id, "Outside my field, sorry.");
    await expect409(() => postMessage(patient, id, "Why?"));
    await expect409(() => postMessage(doctor, id, "Because."));
    expect(await messageCount(id)).toBe(0);
  });

  test("closed: both sides get 409, and both still read the thread", async () => {
    const { patient, doctor, id } = await sharedCase();
    await acceptRequest(doctor, id);
    await postMessage(doctor, id, "Answer coming tomorrow.");
    await answerConsultation(doctor, id, answer);
    await closeConsultation(patient, id);
    await expect409(() => postMessage(patient, id, "One last question."));
    await expect409(() => postMessage(doctor, id, "One last remark."));
    expect(await listMessages(patient, id)).toHaveLength(1);
    expect(await listMessages(doctor, id)).toHaveLength(1);
    expect(await messageCount(id)).toBe(1);
  });

  test.each(["requested", "accepted", "answered", "closed"] as const)(
    "revoked while %s: the patient gets 409 and still reads; the doctor gets 404 on both",
    async (state) => {
      const { patient, doctor, id } = await sharedCase();
      await postMessage(patient, id, "Here is some more history.");
      if (state !== "requested") {
        await acceptRequest(doctor, id);
        await postMessage(doctor, id, "Noted.");
      }
      if (state === "answered" || state === "closed") await answerConsultation(doctor, id, answer);
      if (state === "closed") await closeConsultation(patient, id);
      const before = (await listMessages(patient, id)).map((m) => m.body);
      await revokeAccess(patient, id);

      await expect409(() => postMessage(patient, id, "After revoking."));
      await expect404(() => postMessage(doctor, id, "After revoking."));
      await expect404(() => listMessages(doctor, id));
      expect((await listMessages(patient, id)).map((m) => m.body)).toEqual(before);
      expect(await messageCount(id)).toBe(before.length);
    },
  );

  test("another doctor, another patient and the admin get 404 on listing and posting", async () => {
    const { patient, id } = await sharedCase();
    await postMessage(patient, id, "Private to my doctor.");
    const { user: otherDoctor } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const otherPatient = await makeUser("patient");
    const admin = await makeUser("admin");
    for (const stranger of [otherDoctor, otherPatient, admin]) {
      await expect404(() => listMessages(stranger, id));
      await expect404(() => postMessage(stranger, id, "Let me in."));
    }
    await expect404(() => listMessages(patient, "no-such-consultation"));
    expect(await messageCount(id)).toBe(1);
  });

  test("every post is audited as consultation.message, by its author, with the IP", async () => {
    const { patient, doctor, id } = await sharedCase();
    await acceptRequest(doctor, id);
    await fromAddress("203.0.113.5", () => postMessage(patient, id, "Question one."));
    await fromAddress("198.51.100.7", () => postMessage(doctor, id, "Answer one."));
    await fromAddress("203.0.113.5", () => postMessage(patient, id, "Question two."));
    const rows = await getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "consultation.message"), eq(auditLog.targetId, id)));
    expect(rows).toHaveLength(3);
    const by = (user: TestUser) => rows.filter((r) => r.actorId === user.id);
    expect(by(patient)).toHaveLength(2);
    expect(by(doctor)).toHaveLength(1);
    for (const row of rows) {
      expect(row).toMatchObject({ outcome: "success", targetType: "consultation" });
    }
    expect(by(doctor)[0]!.ip).toBe("198.51.100.7");
    expect(by(patient).map((r) => r.ip)).toEqual(["203.0.113.5", "203.0.113.5"]);
  });

  test("a refused post writes no audit row", async () => {
    const { patient, doctor, id } = await sharedCase();
    const stranger = await makeUser("patient");
    await declineRequest(doctor, id, "Outside my field, sorry.");
    expect(await statusThrownBy(() => postMessage(patient, id, "Why?"))).toBe(409);
    await expect404(() => postMessage(stranger, id, "Hello?"));
    const rows = await getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "consultation.message"), eq(auditLog.targetId, id)));
    expect(rows).toEqual([]);
  });

  test("canPostMessages: open only while requested, accepted or answered and not revoked", () => {
    const at = new Date();
    expect(canPostMessages({ status: "requested", revokedAt: null })).toBe(true);
    expect(canPostMessages({ status: "accepted", revokedAt: null })).toBe(true);
    expect(canPostMessages({ status: "answered", revokedAt: null })).toBe(true);
    expect(canPostMessages({ status: "answered", revokedAt: at })).toBe(false);
    for (const status of ["declined", "closed", "withdrawn"] as const) {
      expect(canPostMessages({ status, revokedAt: null })).toBe(false);
    }
  });
});
