/**
 * A doctor corrects and deletes their clinic patients, invites one by e-mail, and uploads
 * for one through the JSON endpoint of the progress bar.
 */
import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, auditLog, clinicPatients, consultations, users } from "#db/schema";
import { setMailTransport, type Mail } from "~/notifications/mail.server";
import { claimInvitation, issueInvitation } from "~/clinic/invitations.server";
import { INVITATION_MAILS_PER_PATIENT } from "~/clinic/vocabulary";
import { loader as editLoader, action as editAction } from "~/routes/doctor.patients.$id_.edit";
import { action as patientAction } from "~/routes/doctor.patients.$id";
import { loader as inviteLoader } from "~/routes/clinic.invitations.$token";
import { action as apiUpload } from "~/routes/api.clinic.patients.$id.analyses";
import { getImageStore } from "~/uploads/storage.server";
import { makeUser, thrownResponse } from "../helpers";
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

type Reply = {
  data: {
    error?: Record<string, string[] | null>;
    duplicates?: { id: string; reason: string }[];
    canConfirm?: boolean;
  };
};

const patientRow = async (id: string) =>
  (await getDb().select().from(clinicPatients).where(eq(clinicPatients.id, id)).limit(1))[0];
const userRow = async (id: string) =>
  (await getDb().select().from(users).where(eq(users.id, id)).limit(1))[0];
const auditOf = (targetId: string) =>
  getDb().select().from(auditLog).where(eq(auditLog.targetId, targetId));

const details = (values: Record<string, string> = {}) => ({
  clinicRef: "E-1",
  name: "Eva Editable",
  birthDate: "1975-06-30",
  sex: "female",
  ...values,
});

async function edit(doctor: { id: string }, id: string, fields: Record<string, string>) {
  return editAction(await postArgs(doctor, `/doctor/patients/${id}/edit`, { id }, fields));
}

async function upload(doctor: { id: string }, patientId: string, bytes?: Uint8Array) {
  const body = new FormData();
  const image = new Uint8Array(bytes ?? (await smearLikeImage()));
  body.set("smear", new File([image], "smear.jpg", { type: "image/jpeg" }));
  body.set("idempotencyKey", crypto.randomUUID());
  const path = `/api/clinic/patients/${patientId}/analyses`;
  return (await apiUpload(await postArgs(doctor, path, { id: patientId }, body))) as Response;
}

describe("editing a clinic patient", () => {
  test("the details are corrected, the holder account carries the new name, the change is audited by field", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const page = await editLoader(
      await getArgs(doctor, `/doctor/patients/${patient.id}/edit`, { id: patient.id }),
    );
    expect(page.patient).toMatchObject({ clinicRef: patient.clinicRef, name: patient.name });
    const saved = await edit(doctor, patient.id, details({ contact: "eva@example.org" }));
    expect(statusOf(saved)).toBe(302);
    expect((saved as Response).headers.get("Location")).toBe(`/doctor/patients/${patient.id}`);
    expect(await patientRow(patient.id)).toMatchObject({
      clinicRef: "E-1",
      name: "Eva Editable",
      nameKey: "eva editable",
      birthDate: "1975-06-30",
      contact: "eva@example.org",
    });
    expect((await userRow(patient.holderId))!.displayName).toBe("Eva Editable");
    const entry = (await auditOf(patient.id)).find((a) => a.action === "clinic.patient.update")!;
    expect(entry.detail).toBe("clinicRef,name,birthDate,contact");
  });

  test("duplicates are warned again: another patient's clinic ID is refused, the same person is confirmed", async () => {
    const { doctor, patient } = await doctorWithPatient({ clinicRef: "K-1" });
    const other = await doctorWithPatient();
    const second = await clinicPatientOf(doctor, {
      clinicRef: "K-2",
      name: "Ivan Twin",
      birthDate: "1990-01-01",
    });
    // My own clinic ID, any case, is no duplicate of myself.
    expect(statusOf(await edit(doctor, patient.id, details({ clinicRef: "k-1" })))).toBe(302);

    const taken = (await edit(doctor, patient.id, details({ clinicRef: "k-2" }))) as Reply;
    expect(statusOf(taken)).toBe(409);
    expect(taken.data.duplicates).toEqual([
      expect.objectContaining({ id: second.id, reason: "clinicRef" }),
    ]);
    expect(taken.data.canConfirm).toBe(false);
    const forced = await edit(
      doctor,
      patient.id,
      details({ clinicRef: "K-2", confirmDuplicate: "on" }),
    );
    expect(statusOf(forced)).toBe(409);
    expect((await patientRow(patient.id))!.clinicRef).toBe("k-1");

    const twin = details({ clinicRef: "K-3", name: "ivan  TWIN", birthDate: "1990-01-01" });
    const warned = (await edit(doctor, patient.id, twin)) as Reply;
    expect(statusOf(warned)).toBe(409);
    expect(warned.data.canConfirm).toBe(true);
    expect((await patientRow(patient.id))!.name).not.toBe("ivan  TWIN");
    expect(statusOf(await edit(doctor, patient.id, { ...twin, confirmDuplicate: "on" }))).toBe(302);
    expect((await patientRow(patient.id))!.clinicRef).toBe("K-3");

    // Another doctor's patient does not exist for me.
    const path = `/doctor/patients/${other.patient.id}/edit`;
    const params = { id: other.patient.id };
    expect((await thrownResponse(editLoader(await getArgs(doctor, path, params)))).status).toBe(
      404,
    );
    expect(
      (await thrownResponse(edit(doctor, other.patient.id, details({ clinicRef: "Z-9" })))).status,
    ).toBe(404);
    expect((await patientRow(other.patient.id))!.clinicRef).not.toBe("Z-9");
  });

  test("a bad value is a 400 with its message and changes nothing", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const bad = (await edit(doctor, patient.id, details({ birthDate: "2999-01-01" }))) as Reply;
    expect(statusOf(bad)).toBe(400);
    expect(bad.data.error?.birthDate).toEqual(["The date of birth cannot be in the future"]);
    expect((await patientRow(patient.id))!.birthDate).toBe(patient.birthDate);
  });
});

describe("deleting a clinic patient", () => {
  const remove = async (doctor: { id: string }, id: string, fields: Record<string, string> = {}) =>
    edit(doctor, id, { intent: "delete", ...fields });

  test("one without records goes with their record-holder account; audited", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const other = await doctorWithPatient();
    expect((await thrownResponse(remove(doctor, other.patient.id))).status).toBe(404);
    expect(await patientRow(other.patient.id)).toBeDefined();

    const done = (await remove(doctor, patient.id)) as Response;
    expect(done.status).toBe(302);
    expect(done.headers.get("Location")).toBe("/doctor/patients?deleted=0");
    expect(await patientRow(patient.id)).toBeUndefined();
    expect(await userRow(patient.holderId)).toBeUndefined();
    expect((await auditOf(patient.id)).map((a) => a.action)).toContain("clinic.patient.delete");
  });

  test("one with records is refused until the erasure is asked for explicitly; then rows and images go after the commit", async () => {
    const { doctor, patient } = await doctorWithPatient({ clinicRef: "ERASE-1" });
    const uploaded = await upload(doctor, patient.id);
    expect(uploaded.status).toBe(201);
    const { consultationId } = (await uploaded.json()) as { consultationId: string };
    const analysis = (
      await getDb().select().from(analyses).where(eq(analyses.patientId, patient.holderId))
    )[0]!;
    expect(await getImageStore().get(analysis.imageKey, "original")).not.toBeNull();

    const refused = (await remove(doctor, patient.id)) as Reply;
    expect(statusOf(refused)).toBe(409);
    expect(refused.data.error?.[""]?.[0]).toMatch(/has 1 record\b/);
    const mistyped = (await remove(doctor, patient.id, {
      erase: "on",
      confirmClinicRef: "ERASE-2",
    })) as Reply;
    expect(statusOf(mistyped)).toBe(400);
    expect(mistyped.data.error?.confirmClinicRef?.[0]).toMatch(/exactly as shown/);
    expect(await patientRow(patient.id)).toBeDefined();

    const erased = (await remove(doctor, patient.id, {
      erase: "on",
      confirmClinicRef: "erase-1",
    })) as Response;
    expect(erased.headers.get("Location")).toBe("/doctor/patients?deleted=1");
    expect(await patientRow(patient.id)).toBeUndefined();
    expect(await userRow(patient.holderId)).toBeUndefined();
    expect(
      await getDb().select().from(consultations).where(eq(consultations.id, consultationId)),
    ).toEqual([]);
    expect(await getDb().select().from(analyses).where(eq(analyses.id, analysis.id))).toEqual([]);
    expect(await getImageStore().get(analysis.imageKey, "original")).toBeNull();
    const entry = (await auditOf(patient.id)).find((a) => a.action === "clinic.patient.erase")!;
    expect(entry).toMatchObject({ actorId: doctor.id, detail: "1 analyses" });
  }, 60_000);

  test("records the patient claimed are theirs: refused, and their account stays", async () => {
    const { doctor, profile, patient } = await doctorWithPatient();
    await insertClinicRecord({ profileId: profile.id, patient }, {}, decided("benign"));
    const claimant = await makeUser("patient");
    const token = (await issueInvitation(doctor, patient.id)).link.split("/").pop()!;
    await claimInvitation(claimant, token);
    const refused = (await remove(doctor, patient.id, {
      erase: "on",
      confirmClinicRef: patient.clinicRef,
    })) as Reply;
    expect(statusOf(refused)).toBe(409);
    expect(refused.data.error?.[""]?.[0]).toMatch(/only the patient can delete them/);
    expect(await userRow(claimant.id)).toBeDefined();
    expect(await patientRow(patient.id)).toBeDefined();
  });
});

describe("an invitation sent by e-mail", () => {
  let sent: Mail[] = [];
  beforeEach(() => {
    sent = [];
    setMailTransport({ send: async (mail) => void sent.push(mail) });
  });
  afterEach(() => setMailTransport(undefined));

  const invite = async (doctor: { id: string }, id: string, email: string) =>
    patientAction(
      await postArgs(doctor, `/doctor/patients/${id}`, { id }, { intent: "invite-email", email }),
    );

  test("the link goes to the address after the commit, is shown to copy as well, and opens the claim page", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const result = (await invite(doctor, patient.id, " Eva@Example.org ")) as {
      invitation: { link: string; emailedTo: string };
    };
    expect(result.invitation.emailedTo).toBe("Eva@Example.org");
    await vi.waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]!.to).toBe("Eva@Example.org");
    expect(sent[0]!.text).toContain(result.invitation.link);
    // No health data and no name of the patient in the e-mail.
    expect(sent[0]!.text).not.toContain(patient.name);
    const token = result.invitation.link.split("/").pop()!;
    const page = await inviteLoader(await getArgs(null, `/clinic/invitations/${token}`, { token }));
    expect(page.doctor).toBeTruthy();
    const entries = await auditOf(patient.id);
    const entry = entries.find((a) => a.action === "clinic.invitation.email")!;
    expect(entry.actorId).toBe(doctor.id);
    expect(JSON.stringify(entries)).not.toContain("Example.org");
  });

  test("a wrong address is a 400 and sends nothing; past the limit a 429 and no e-mail", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const bad = (await invite(doctor, patient.id, "not an address")) as Reply;
    expect(statusOf(bad)).toBe(400);
    expect(bad.data.error?.email?.[0]).toMatch(/e-mail address/);
    for (let i = 0; i < INVITATION_MAILS_PER_PATIENT; i += 1) {
      expect(statusOf(await invite(doctor, patient.id, `p${i}@example.org`))).toBe(200);
    }
    const over = (await invite(doctor, patient.id, "late@example.org")) as Reply;
    expect(statusOf(over)).toBe(429);
    expect(over.data.error?.[""]?.[0]).toMatch(/Too many invitation e-mails/);
    await vi.waitFor(() => expect(sent).toHaveLength(INVITATION_MAILS_PER_PATIENT));
    expect(sent.map((m) => m.to)).not.toContain("late@example.org");
    const issued = await getDb()
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.targetId, patient.id), eq(auditLog.action, "clinic.invitation.email")),
      );
    expect(issued).toHaveLength(INVITATION_MAILS_PER_PATIENT);
  });

  test("another doctor cannot send one for my patient (404), and nothing is sent", async () => {
    const { patient } = await doctorWithPatient();
    const { doctor: other } = await doctorWithPatient();
    expect((await thrownResponse(invite(other, patient.id, "x@example.org"))).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent).toEqual([]);
  });
});

describe("the clinic upload's JSON endpoint (the progress bar's)", () => {
  test("201 with the review page; a file that is not an image a 4xx in JSON; another doctor 404", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const ok = await upload(doctor, patient.id);
    expect(ok.status).toBe(201);
    const body = (await ok.json()) as { consultationId: string; links: { page: string } };
    expect(body.links.page).toBe(`/doctor/cases/${body.consultationId}`);
    expect(ok.headers.get("Location")).toBe(body.links.page);

    const notImage = await upload(
      doctor,
      patient.id,
      new TextEncoder().encode("hello, not a smear"),
    );
    expect([400, 415, 422]).toContain(notImage.status);
    const refusal = (await notImage.json()) as { error: Record<string, string[]> };
    expect(refusal.error.smear?.[0]).toBeTruthy();

    const { doctor: other } = await doctorWithPatient();
    expect((await thrownResponse(upload(other, patient.id))).status).toBe(404);
    const held = await getDb()
      .select()
      .from(analyses)
      .where(eq(analyses.patientId, patient.holderId));
    expect(held).toHaveLength(1);
  }, 60_000);
});
