/**
 * Who gets what on every clinic route: the owning doctor 200; another certified doctor 404 on
 * a record of mine (their own lists are empty); a doctor awaiting verification 403 (told why);
 * a patient and the admin 404; nobody signed in goes to /login.
 */
import { eq } from "drizzle-orm";
import { inTransaction } from "~/data/unit-of-work.server";
import { doctorProfiles } from "#db/schema";
import { loader as patientsLoader } from "~/routes/doctor.patients._index";
import { loader as newLoader, action as newAction } from "~/routes/doctor.patients.new";
import { loader as patientLoader, action as patientAction } from "~/routes/doctor.patients.$id";
import { loader as analyseLoader } from "~/routes/doctor.patients.$id_.analyses.new";
import { loader as recordsLoader } from "~/routes/doctor.records._index";
import { loader as imagesLoader } from "~/routes/doctor.records.images";
import { loader as reportLoader } from "~/routes/doctor.records.$id.report";
import { loader as fhirLoader } from "~/routes/doctor.records.$id.fhir";
import { loader as caseLoader } from "~/routes/doctor.cases.$id";
import { makeUser, thrownResponse } from "../helpers";
import { decided, doctorWithPatient, getArgs, insertClinicRecord, postArgs } from "./helpers";

type Loader = (args: Awaited<ReturnType<typeof getArgs>>) => Promise<unknown>;

async function setting() {
  const owner = await doctorWithPatient();
  const { consultation } = await insertClinicRecord(
    { profileId: owner.profile.id, patient: owner.patient },
    {},
    decided("pre_b"),
  );
  const other = await doctorWithPatient();
  const pending = await makeUser("doctor");
  const patient = await makeUser("patient");
  const admin = await makeUser("admin");
  const pid = owner.patient.id;
  const cid = consultation.id;
  const routes: [string, Loader, Record<string, string>, "record" | "list"][] = [
    ["/doctor/patients", patientsLoader as Loader, {}, "list"],
    ["/doctor/patients/new", newLoader as Loader, {}, "list"],
    [`/doctor/patients/${pid}`, patientLoader as Loader, { id: pid }, "record"],
    [`/doctor/patients/${pid}/analyses/new`, analyseLoader as Loader, { id: pid }, "record"],
    ["/doctor/records", recordsLoader as Loader, {}, "list"],
    ["/doctor/records/images", imagesLoader as Loader, {}, "list"],
    [`/doctor/records/${cid}/report`, reportLoader as Loader, { id: cid }, "record"],
    [`/doctor/records/${cid}/fhir`, fhirLoader as Loader, { id: cid }, "record"],
    [`/doctor/cases/${cid}`, caseLoader as Loader, { id: cid }, "record"],
  ];
  return { owner, other, pending, patient, admin, routes };
}

const statusFor = async (loader: Loader, args: Awaited<ReturnType<typeof getArgs>>) => {
  try {
    const result = await loader(args);
    return result instanceof Response ? result.status : 200;
  } catch (error) {
    return (await thrownResponse(Promise.reject(error))).status;
  }
};

describe("the clinic routes' access matrix", () => {
  test("owner 200 (the FHIR export needs stored images: tested with an upload elsewhere), other doctor 404 on my records, unverified doctor 403, patient and admin 404, anonymous to /login", async () => {
    const s = await setting();
    for (const [path, loader, params, kind] of s.routes) {
      if (!path.endsWith("/fhir")) {
        expect([
          path,
          await statusFor(loader, await getArgs(s.owner.doctor, path, params)),
        ]).toEqual([path, 200]);
      }
      expect([path, await statusFor(loader, await getArgs(s.other.doctor, path, params))]).toEqual([
        path,
        kind === "record" ? 404 : 200,
      ]);
      // The case page already answered 404 to an unverified doctor (decision 037).
      expect([path, await statusFor(loader, await getArgs(s.pending, path, params))]).toEqual([
        path,
        path.startsWith("/doctor/cases") ? 404 : 403,
      ]);
      expect([path, await statusFor(loader, await getArgs(s.patient, path, params))]).toEqual([
        path,
        404,
      ]);
      expect([path, await statusFor(loader, await getArgs(s.admin, path, params))]).toEqual([
        path,
        404,
      ]);
      const anonymous = await thrownResponse(loader(await getArgs(null, path, params)));
      expect([path, anonymous.status, anonymous.headers.get("Location")]).toEqual([
        path,
        302,
        `/login?redirectTo=${encodeURIComponent(path)}`,
      ]);
    }
  });

  test("a doctor whose certification is suspended loses the clinic too (403), and regains it", async () => {
    const s = await setting();
    const path = `/doctor/patients/${s.owner.patient.id}`;
    await inTransaction(({ tx }) =>
      tx
        .update(doctorProfiles)
        .set({ status: "suspended" })
        .where(eq(doctorProfiles.id, s.owner.profile.id)),
    );
    expect(
      await statusFor(
        patientLoader as Loader,
        await getArgs(s.owner.doctor, path, { id: s.owner.patient.id }),
      ),
    ).toBe(403);
    await inTransaction(({ tx }) =>
      tx
        .update(doctorProfiles)
        .set({ status: "verified" })
        .where(eq(doctorProfiles.id, s.owner.profile.id)),
    );
    expect(
      await statusFor(
        patientLoader as Loader,
        await getArgs(s.owner.doctor, path, { id: s.owner.patient.id }),
      ),
    ).toBe(200);
  });

  test("the actions refuse the same people: another doctor's invite 404, a patient's registration 404", async () => {
    const s = await setting();
    const pid = s.owner.patient.id;
    const invite = await thrownResponse(
      patientAction(
        await postArgs(
          s.other.doctor,
          `/doctor/patients/${pid}`,
          { id: pid },
          { intent: "invite" },
        ),
      ),
    );
    expect(invite.status).toBe(404);
    const register = await thrownResponse(
      newAction(
        await postArgs(
          s.patient,
          "/doctor/patients/new",
          {},
          { clinicRef: "X", name: "Someone", birthDate: "1990-01-01", sex: "male" },
        ),
      ),
    );
    expect(register.status).toBe(404);
    const unverified = await thrownResponse(
      newAction(
        await postArgs(
          s.pending,
          "/doctor/patients/new",
          {},
          { clinicRef: "X", name: "Someone", birthDate: "1990-01-01", sex: "male" },
        ),
      ),
    );
    expect(unverified.status).toBe(403);
  });
});
