import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, consultations } from "#db/schema";
import { inTransaction } from "~/data/unit-of-work.server";
import type { DoctorClass } from "~/consultations/vocabulary";
import { loader as adminCsv } from "~/routes/admin.statistics[.]csv";
import { loader as adminPage } from "~/routes/admin.statistics";
import { loader as doctorCsv } from "~/routes/doctor.statistics[.]csv";
import { loader as doctorPage } from "~/routes/doctor.statistics";
import type { Statistics } from "~/statistics/aggregate";
import { finalAnswers } from "~/statistics/records.server";
import {
  getRequest,
  insertAnalysis,
  makeCertifiedDoctor,
  makeUser,
  sessionCookieFor,
  shareAndAnswer,
  thrownResponse,
} from "../helpers";

type Doctor = Awaited<ReturnType<typeof makeCertifiedDoctor>>;
const args = (request: Request) => ({ request, context: {}, params: {} });

/** A new patient's analysis, shared with `doctor` and answered `doctorClass`. */
async function answered(doctor: Doctor, doctorClass: DoctorClass) {
  const patient = await makeUser("patient");
  const analysis = await insertAnalysis(patient.id, { topClass: "pre_b", ageBracket: "adult" });
  await shareAndAnswer(doctor, patient, analysis.id, doctorClass);
  return { patient, analysis };
}

const prevalence = (s: Statistics) => s.tables.find((t) => t.name === "prevalence-by-month")!;

describe("statistics pages: who sees what", () => {
  let drA: Doctor;
  let drB: Doctor;
  let cases: Awaited<ReturnType<typeof answered>>[];

  beforeAll(async () => {
    drA = await makeCertifiedDoctor({ offersTeleconsultation: true, country: "FR" });
    drB = await makeCertifiedDoctor({ offersTeleconsultation: true, country: "DE" });
    cases = [];
    for (let i = 0; i < 6; i += 1) cases.push(await answered(drA, "pre_b"));
    for (let i = 0; i < 2; i += 1) cases.push(await answered(drB, "benign"));
  });

  test("a visitor is sent to log in; a patient and an uncertified doctor get 404", async () => {
    for (const [path, load] of [
      ["/doctor/statistics", doctorPage],
      ["/doctor/statistics.csv?table=prevalence-by-month", doctorCsv],
      ["/admin/statistics", adminPage],
      ["/admin/statistics.csv?table=prevalence-by-month", adminCsv],
    ] as const) {
      const visitor = await thrownResponse(load(args(getRequest(path))));
      expect([path, visitor.status]).toEqual([path, 302]);
    }
    const patient = await makeUser("patient");
    const pending = await makeUser("doctor");
    for (const user of [patient, pending]) {
      const cookie = await sessionCookieFor(user.id);
      for (const [path, load] of [
        ["/doctor/statistics", doctorPage],
        ["/doctor/statistics.csv?table=prevalence-by-month", doctorCsv],
      ] as const) {
        const refused = await thrownResponse(load(args(getRequest(path, { Cookie: cookie }))));
        expect([user.role, path, refused.status]).toEqual([user.role, path, 404]);
      }
    }
    // A doctor is not an admin.
    const doctorCookie = await sessionCookieFor(drA.user.id);
    const refused = await thrownResponse(
      adminPage(args(getRequest("/admin/statistics", { Cookie: doctorCookie }))),
    );
    expect(refused.status).toBe(404);
  });

  test("a doctor counts only the analyses whose final answer they gave", async () => {
    const mine = await doctorPage(
      args(getRequest("/doctor/statistics", { Cookie: await sessionCookieFor(drA.user.id) })),
    );
    // Six answers: not a small count (shown, or hidden as "x" so no zero cell shows through).
    expect(mine.records.kind).not.toBe("small");
    const theirs = await doctorPage(
      args(getRequest("/doctor/statistics", { Cookie: await sessionCookieFor(drB.user.id) })),
    );
    // Doctor B's two answers: counted for B alone, and shown as "<5".
    expect(theirs.records).toEqual({ kind: "small" });
    const regions = (s: Statistics) =>
      s.tables.find((t) => t.name === "prevalence-by-region")!.rows.map((r) => r.label);
    expect(regions(mine)).toEqual(["France"]);
    expect(regions(theirs)).toEqual(["Germany"]);
    expect(prevalence(mine).rows).toHaveLength(1);
  });

  test("the admin sees the whole platform without a name or an id, small cells suppressed", async () => {
    const admin = await makeUser("admin");
    const stats = await adminPage(
      args(getRequest("/admin/statistics", { Cookie: await sessionCookieFor(admin.id) })),
    );
    expect(stats.records).toEqual({ kind: "value", value: 8 });
    const region = stats.tables.find((t) => t.name === "prevalence-by-region")!;
    expect(region.rows.map((r) => r.label)).toEqual(["France", "Germany"]);
    const germany = region.rows.find((r) => r.label === "Germany")!;
    expect(germany.cells.at(-1)).toEqual({ kind: "small" });
    const json = JSON.stringify(stats);
    for (const secret of [
      drA.user.displayName,
      drB.user.displayName,
      drA.profile.id,
      ...cases.flatMap((c) => [c.patient.id, c.patient.displayName, c.analysis.id]),
    ]) {
      expect(json).not.toContain(secret);
    }
    const audited = await getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "statistics.platform.read"));
    expect(audited.map((a) => a.actorId)).toContain(admin.id);
  });

  test("the CSV download is the table as shown; an unknown table is a 400", async () => {
    const admin = await makeUser("admin");
    const cookie = await sessionCookieFor(admin.id);
    const response = (await adminCsv(
      args(getRequest("/admin/statistics.csv?table=prevalence-by-region", { Cookie: cookie })),
    )) as Response;
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toContain("prevalence-by-region.csv");
    const csv = await response.text();
    expect(csv.split("\r\n")[0]).toMatch(/^"?Country/);
    expect(csv).toContain("Germany,");
    expect(csv).toContain("<5");
    const bad = await thrownResponse(
      adminCsv(args(getRequest("/admin/statistics.csv?table=names", { Cookie: cookie }))),
    );
    expect(bad.status).toBe(400);
  });
});

describe("the final answer", () => {
  test("an analysis answered twice has one final answer, the later one", async () => {
    const first = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const second = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const { patient, analysis } = await answered(first, "pre_b");
    // The first answer a day earlier, so the order does not rest on the clock's resolution.
    await inTransaction(({ tx }) =>
      tx
        .update(consultations)
        .set({ answeredAt: new Date(Date.now() - 86_400_000) })
        .where(eq(consultations.analysisId, analysis.id)),
    );
    await shareAndAnswer(second, patient, analysis.id, "benign");
    const final = finalAnswers();
    const rows = await getDb()
      .select({ doctorProfileId: final.doctorProfileId, doctorClass: final.doctorClass })
      .from(final)
      .where(eq(final.analysisId, analysis.id));
    expect(rows).toEqual([{ doctorProfileId: second.profile.id, doctorClass: "benign" }]);
  });
});
