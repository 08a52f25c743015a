import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, clinicPatients, users } from "#db/schema";
import { verifyLogin } from "~/auth/accounts.server";
import { searchClinicPatients } from "~/clinic/patients.server";
import { action as newAction } from "~/routes/doctor.patients.new";
import { loader as patientLoader } from "~/routes/doctor.patients.$id";
import { makeCertifiedDoctor } from "../helpers";
import { clinicPatientOf, doctorWithPatient, getArgs, postArgs, statusOf } from "./helpers";

const patientsOf = (doctorId: string) =>
  getDb().select().from(clinicPatients).where(eq(clinicPatients.doctorId, doctorId));

const form = (values: Record<string, string> = {}) => ({
  clinicRef: "A-100",
  name: "Amélie Núñez",
  birthDate: "2015-02-03",
  sex: "female",
  contact: "+33 1 23 45 67 89",
  ...values,
});

describe("registering a clinic patient", () => {
  test("a certified doctor registers a walk-in patient and lands on their record", async () => {
    const { user: doctor } = await makeCertifiedDoctor();
    const result = await newAction(await postArgs(doctor, "/doctor/patients/new", {}, form()));
    expect(statusOf(result)).toBe(302);
    const [patient] = await patientsOf(doctor.id);
    expect((result as Response).headers.get("Location")).toBe(`/doctor/patients/${patient!.id}`);
    expect(patient).toMatchObject({ clinicRef: "A-100", name: "Amélie Núñez", sex: "female" });
    // The record-holder account cannot sign in and names nobody else.
    const holder = (
      await getDb().select().from(users).where(eq(users.id, patient!.holderId)).limit(1)
    )[0]!;
    expect(holder.role).toBe("patient");
    expect(holder.email).toMatch(/\.invalid$/);
    expect(await verifyLogin(holder.email, "anything at all")).toBeNull();
  });

  test("the same clinic ID (any case) is refused with a link to the existing record; nothing saved", async () => {
    const { doctor, patient } = await doctorWithPatient({ clinicRef: "mrn-7" });
    const result = (await newAction(
      await postArgs(doctor, "/doctor/patients/new", {}, form({ clinicRef: "MRN-7" })),
    )) as unknown as {
      data: { duplicates: { id: string; reason: string }[]; canConfirm: boolean };
    };
    expect(statusOf(result)).toBe(409);
    expect(result.data.duplicates).toEqual([
      expect.objectContaining({ id: patient.id, reason: "clinicRef" }),
    ]);
    expect(result.data.canConfirm).toBe(false);
    // Even when confirmed: a clinic ID is unique per doctor.
    const again = await newAction(
      await postArgs(
        doctor,
        "/doctor/patients/new",
        {},
        form({ clinicRef: "MRN-7", confirmDuplicate: "on" }),
      ),
    );
    expect(statusOf(again)).toBe(409);
    expect(await patientsOf(doctor.id)).toHaveLength(1);
  });

  test("the same name (accents and case aside) and birth date is warned; confirmed, it is saved", async () => {
    const { doctor, patient } = await doctorWithPatient({
      name: "Amélie Núñez",
      birthDate: "2015-02-03",
    });
    const warned = (await newAction(
      await postArgs(doctor, "/doctor/patients/new", {}, form({ name: "amelie  NUNEZ" })),
    )) as unknown as { data: { duplicates: { id: string }[]; canConfirm: boolean } };
    expect(statusOf(warned)).toBe(409);
    expect(warned.data.duplicates.map((d) => d.id)).toEqual([patient.id]);
    expect(warned.data.canConfirm).toBe(true);
    expect(await patientsOf(doctor.id)).toHaveLength(1);
    const saved = await newAction(
      await postArgs(
        doctor,
        "/doctor/patients/new",
        {},
        form({ name: "amelie  NUNEZ", confirmDuplicate: "on" }),
      ),
    );
    expect(statusOf(saved)).toBe(302);
    expect(await patientsOf(doctor.id)).toHaveLength(2);
  });

  test("another doctor's patient with the same details is not a duplicate of mine", async () => {
    await doctorWithPatient({ clinicRef: "A-100", name: "Amélie Núñez", birthDate: "2015-02-03" });
    const { user: doctor } = await makeCertifiedDoctor();
    expect(
      statusOf(await newAction(await postArgs(doctor, "/doctor/patients/new", {}, form()))),
    ).toBe(302);
  });

  test.each([
    [{ birthDate: "2999-01-01" }, "birthDate", "The date of birth cannot be in the future"],
    [{ birthDate: "2015-02-30" }, "birthDate", "This date does not exist"],
    [{ name: "" }, "name", "Give the patient's full name"],
    [{ clinicRef: "   " }, "clinicRef", "Give the patient's number in your practice"],
    [{ sex: "robot" }, "sex", "Choose the patient's sex (or “Not recorded”)"],
  ])("%o: 400 with the message on %s, nothing saved", async (values, field, message) => {
    const { user: doctor } = await makeCertifiedDoctor();
    const result = (await newAction(
      await postArgs(doctor, "/doctor/patients/new", {}, form(values)),
    )) as unknown as { data: { error: Record<string, string[]> } };
    expect(statusOf(result)).toBe(400);
    expect(result.data.error[field]).toEqual([message]);
    expect(await patientsOf(doctor.id)).toHaveLength(0);
  });
});

describe("finding clinic patients", () => {
  test("by part of the name (accents aside) or of the clinic ID; only my own; the list is audited", async () => {
    const { user: doctor } = await makeCertifiedDoctor();
    const ana = await clinicPatientOf(doctor, { name: "Ana María Pérez", clinicRef: "HX-0042" });
    const bob = await clinicPatientOf(doctor, { name: "Bob Stone", clinicRef: "HX-0100" });
    const { doctor: other } = await doctorWithPatient({ name: "Ana Other" });
    expect((await searchClinicPatients(doctor, "maria perez")).map((p) => p.id)).toEqual([ana.id]);
    expect((await searchClinicPatients(doctor, "0100")).map((p) => p.id)).toEqual([bob.id]);
    expect((await searchClinicPatients(doctor, "ana")).map((p) => p.id)).toEqual([ana.id]);
    expect((await searchClinicPatients(doctor)).map((p) => p.id).sort()).toEqual(
      [ana.id, bob.id].sort(),
    );
    expect((await searchClinicPatients(other, "pérez")).length).toBe(0);
    // A search typed with wildcards finds them literally.
    expect(await searchClinicPatients(doctor, "%")).toEqual([]);
    const audited = await getDb().select().from(auditLog).where(eq(auditLog.actorId, doctor.id));
    expect(audited.filter((a) => a.action === "clinic.patient.list").length).toBeGreaterThanOrEqual(
      4,
    );
  });

  test("opening a patient is audited with their id", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const page = await patientLoader(
      await getArgs(doctor, `/doctor/patients/${patient.id}`, { id: patient.id }),
    );
    expect(page.patient.clinicRef).toBe(patient.clinicRef);
    const read = await getDb().select().from(auditLog).where(eq(auditLog.targetId, patient.id));
    expect(read.map((a) => a.action)).toContain("clinic.patient.read");
  });
});
