import { eq } from "drizzle-orm";
import { unzipSync, strFromU8 } from "fflate";
import { getDb } from "#db/client";
import {
  analyses,
  auditLog,
  consultations,
  doctorProfiles,
  notifications,
  reviews,
  sessions,
  users,
} from "#db/schema";
import { ACCOUNT_DELETED_NOTICE } from "~/account/vocabulary";
import { createAnalysis } from "~/analyses/create.server";
import { verifyLogin } from "~/auth/accounts.server";
import { shareAnalysis, acceptRequest } from "~/consultations/lifecycle.server";
import { postMessage } from "~/consultations/messages.server";
import { saveOwnReview } from "~/reviews/reviews.server";
import { action as dataAction, loader as dataLoader } from "~/routes/account.data";
import { loader as downloadLoader } from "~/routes/account.data.download";
import { getImageStore } from "~/uploads/storage.server";
import { fixedClassifier } from "../analyses/fixtures";
import {
  getArgs,
  makeCertifiedDoctor,
  makeUser,
  postArgs,
  type TestUser,
  thrownResponse,
} from "../helpers";
import { smearLikeImage } from "../uploads/images";

/** A patient with two analyses, one shared with a doctor who accepted it and wrote. */
async function patientWithCase() {
  const patient = await makeUser("patient");
  const first = await createAnalysis(
    patient,
    { bytes: await smearLikeImage(), note: "mine" },
    fixedClassifier,
  );
  const second = await createAnalysis(
    patient,
    { bytes: await smearLikeImage(190, 170) },
    fixedClassifier,
  );
  const { user: doctor, profile } = await makeCertifiedDoctor({ offersTeleconsultation: true });
  const c = await shareAnalysis(patient, first.id, {
    doctorProfileId: profile.id,
    message: "Please look at this smear.",
    consent: true,
  });
  await acceptRequest(doctor, c.id);
  await postMessage(doctor, c.id, "Any fever or bruising?");
  await postMessage(patient, c.id, "Some bruising on the legs.");
  return { patient, doctor, profile, analyses: [first, second], consultationId: c.id };
}

async function download(user: TestUser) {
  const response = (await downloadLoader(
    await getArgs(user, "/account/data/download"),
  )) as Response;
  return { response, files: unzipSync(new Uint8Array(await response.arrayBuffer())) };
}

describe("Download my data", () => {
  test("one zip with a FHIR Bundle of my analyses, consultation and messages, and my images — nothing of another patient", async () => {
    const mine = await patientWithCase();
    const other = await patientWithCase();

    const { response, files } = await download(mine.patient);

    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/zip");
    expect(response.headers.get("Content-Disposition")).toMatch(
      /attachment; filename="hemalink-my-data-\d{4}-\d\d-\d\d\.zip"/,
    );
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const bundle = JSON.parse(strFromU8(files["hemalink.fhir.json"]!));
    expect(bundle).toMatchObject({ resourceType: "Bundle", type: "collection" });
    const byType = (type: string) =>
      bundle.entry.filter(
        (e: { resource: { resourceType: string } }) => e.resource.resourceType === type,
      );
    expect(byType("Patient").map((e: { resource: { id: string } }) => e.resource.id)).toEqual([
      mine.patient.id,
    ]);
    expect(
      byType("DiagnosticReport")
        .map((e: { resource: { id: string } }) => e.resource.id)
        .sort(),
    ).toEqual(mine.analyses.map((a) => a.id).sort());
    // Four probabilities per report, each an entry of its own pointing at the bundle's Patient.
    const observations = byType("Observation");
    expect(observations.length).toBeGreaterThanOrEqual(8);
    for (const o of observations)
      expect(o.resource.subject.reference).toBe(`urn:uuid:${mine.patient.id}`);
    const fullUrls = new Set(bundle.entry.map((e: { fullUrl: string }) => e.fullUrl));
    for (const report of byType("DiagnosticReport")) {
      for (const r of report.resource.result) expect(fullUrls.has(r.reference)).toBe(true);
    }
    expect(byType("ServiceRequest")).toHaveLength(1);
    expect(
      byType("Communication").map(
        (e: { resource: { payload: { contentString: string }[] } }) =>
          e.resource.payload[0]!.contentString,
      ),
    ).toEqual(["Any fever or bruising?", "Some bruising on the legs."]);
    // The images the reports point to, byte for byte.
    for (const a of mine.analyses) {
      expect(
        Buffer.from(files[`images/${a.id}/original.jpg`]!).equals(
          (await getImageStore().get(a.imageKey, "original"))!,
        ),
      ).toBe(true);
      expect(files[`images/${a.id}/heatmap.png`]!.length).toBeGreaterThan(0);
      expect(files[`images/${a.id}/thumbnail.jpg`]!.length).toBeGreaterThan(0);
    }
    expect(strFromU8(files["README.txt"]!)).toMatch(/FHIR R4 Bundle/);
    // Nothing of the other patient anywhere in the archive.
    const everything = Object.entries(files)
      .map(([name, bytes]) => name + strFromU8(bytes, true))
      .join("\n");
    for (const needle of [
      other.patient.id,
      other.patient.email,
      other.consultationId,
      ...other.analyses.map((a) => a.id),
    ]) {
      expect(everything).not.toContain(needle);
    }
    const audited = await getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "account.export"));
    expect(audited.some((r) => r.actorId === mine.patient.id)).toBe(true);
  });

  test("is a patient's page: a doctor gets 404, a visitor the login page", async () => {
    const { user: doctor } = await makeCertifiedDoctor();
    const asDoctor = await thrownResponse(
      downloadLoader(await getArgs(doctor, "/account/data/download")),
    );
    expect(asDoctor.status).toBe(404);
    const anonymous = await thrownResponse(dataLoader(await getArgs(null, "/account/data")));
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("Location")).toMatch(/^\/login/);
  });
});

const deleteRequest = (user: TestUser, fields: Record<string, string>) =>
  postArgs(user, "/account/data", {}, { intent: "delete", ...fields });

describe("Delete my account", () => {
  test("a wrong password or no confirmation deletes nothing and says why", async () => {
    const { patient } = await patientWithCase();
    const wrong = (await dataAction(
      await deleteRequest(patient, { password: "not my password", confirm: "yes" }),
    )) as unknown as {
      data: { error: Record<string, string[]> };
      init: { status: number };
    };
    expect(wrong.init.status).toBe(401);
    expect(wrong.data.error.password).toEqual(["That is not your password."]);
    const unconfirmed = (await dataAction(
      await deleteRequest(patient, { password: patient.password }),
    )) as unknown as {
      data: { error: Record<string, string[]> };
      init: { status: number };
    };
    expect(unconfirmed.init.status).toBe(400);
    expect(unconfirmed.data.error.confirm?.[0]).toMatch(/Tick the box/);
    expect(
      (await getDb().select().from(users).where(eq(users.id, patient.id)).limit(1))[0],
    ).toBeDefined();
    expect(
      await getDb().select().from(analyses).where(eq(analyses.patientId, patient.id)),
    ).toHaveLength(2);
  });

  test("removes my rows, images, sessions and reviews, tells the doctor, keeps the audit trail by id; the login then fails", async () => {
    const { patient, doctor, profile, analyses: mine, consultationId } = await patientWithCase();
    const other = await patientWithCase();
    await saveOwnReview(patient, profile.id, {
      rating: 5,
      body: "Clear and kind answers, thank you.",
    });
    expect(
      (
        await getDb()
          .select()
          .from(doctorProfiles)
          .where(eq(doctorProfiles.id, profile.id))
          .limit(1)
      )[0]!.ratingCount,
    ).toBe(1);

    const response = (await dataAction(
      await deleteRequest(patient, { password: patient.password, confirm: "yes" }),
    )) as Response;

    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/account/deleted");
    expect(response.headers.get("Set-Cookie")).toMatch(/Max-Age=0/i);
    const db = getDb();
    expect(
      (await db.select().from(users).where(eq(users.id, patient.id)).limit(1))[0],
    ).toBeUndefined();
    expect(await db.select().from(sessions).where(eq(sessions.userId, patient.id))).toEqual([]);
    expect(await db.select().from(analyses).where(eq(analyses.patientId, patient.id))).toEqual([]);
    expect(
      await db.select().from(consultations).where(eq(consultations.id, consultationId)),
    ).toEqual([]);
    expect(await db.select().from(reviews).where(eq(reviews.authorId, patient.id))).toEqual([]);
    expect(
      (await db.select().from(doctorProfiles).where(eq(doctorProfiles.id, profile.id)).limit(1))[0]!
        .ratingCount,
    ).toBe(0);
    for (const a of mine) expect(await getImageStore().get(a.imageKey, "original")).toBeNull();
    // The other patient's data is untouched.
    expect(
      await db.select().from(analyses).where(eq(analyses.patientId, other.patient.id)),
    ).toHaveLength(2);
    expect(await getImageStore().get(other.analyses[0]!.imageKey, "original")).not.toBeNull();
    // The doctor is told, without the patient's name and with nothing to open.
    const told = await db.select().from(notifications).where(eq(notifications.userId, doctor.id));
    expect(told).toContainEqual(
      expect.objectContaining({
        kind: "consultation.withdrawn",
        text: ACCOUNT_DELETED_NOTICE,
        link: null,
      }),
    );
    expect(told.some((n) => n.text.includes(patient.displayName))).toBe(false);
    // The append-only audit trail keeps its rows, under the id only.
    const trail = await db.select().from(auditLog).where(eq(auditLog.actorId, patient.id));
    expect(trail.map((r) => r.action)).toEqual(
      expect.arrayContaining(["analysis.create", "account.delete"]),
    );
    expect(JSON.stringify(trail)).not.toContain(patient.email);
    expect(await verifyLogin(patient.email, patient.password)).toBeNull();
  });
});
