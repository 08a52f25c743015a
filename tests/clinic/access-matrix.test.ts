/**
 * Who gets what on every clinic route: the owning doctor 200; another certified doctor 404 on
 * a record of mine (their own lists are empty); a doctor awaiting verification 403 (told why);
 * a patient and the admin 404; nobody signed in goes to /login.
 */
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { inTransaction } from "~/data/unit-of-work.server";
import { auditLog, doctorProfiles } from "#db/schema";
import { loader as patientsLoader } from "~/routes/doctor.patients._index";
import { loader as newLoader, action as newAction } from "~/routes/doctor.patients.new";
import { loader as patientLoader, action as patientAction } from "~/routes/doctor.patients.$id";
import { loader as analyseLoader } from "~/routes/doctor.patients.$id_.analyses.new";
import { loader as editLoader, action as editAction } from "~/routes/doctor.patients.$id_.edit";
import { action as apiUpload } from "~/routes/api.clinic.patients.$id.analyses";
import { loader as recordsLoader } from "~/routes/doctor.records._index";
import { loader as imagesLoader } from "~/routes/doctor.records.images";
import { loader as reportLoader } from "~/routes/doctor.records.$id.report";
import { loader as fhirLoader } from "~/routes/doctor.records.$id.fhir";
import { loader as caseLoader } from "~/routes/doctor.cases.$id";
import { loader as statisticsLoader } from "~/routes/doctor.statistics";
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
    [`/doctor/patients/${pid}/edit`, editLoader as Loader, { id: pid }, "record"],
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
      const expected: [string, { id: string } | null, number | null][] = [
        ["owner", s.owner.doctor, path.endsWith("/fhir") ? null : 200],
        ["other doctor", s.other.doctor, kind === "record" ? 404 : 200],
        // The case page already answered 404 to an unverified doctor (decision 037).
        ["unverified doctor", s.pending, path.startsWith("/doctor/cases") ? 404 : 403],
        ["patient", s.patient, 404],
        ["admin", s.admin, 404],
      ];
      for (const [who, user, status] of expected) {
        if (status === null) continue;
        const args = await getArgs(user, path, params);
        expect([path, who, await statusFor(loader, args)]).toEqual([path, who, status]);
      }
      const anonymous = await thrownResponse(loader(await getArgs(null, path, params)));
      expect([path, anonymous.status, anonymous.headers.get("Location")]).toEqual([
        path,
        302,
        `/login?redirectTo=${encodeURIComponent(path)}`,
      ]);
    }
  });

  test("every page that shows the owner clinic patients' data leaves an audit row of its own", async () => {
    const s = await setting();
    const pid = s.owner.patient.id;
    // The route's read, as the audit log names it (the FHIR export reads the record the same way
    // as the report, and needs stored images: tested with an upload elsewhere).
    const reads: [string, Loader, Record<string, string>, string, string | null][] = [
      ["/doctor/patients", patientsLoader as Loader, {}, "clinic.patient.list", null],
      [`/doctor/patients/${pid}`, patientLoader as Loader, { id: pid }, "clinic.patient.read", pid],
      [
        `/doctor/patients/${pid}/edit`,
        editLoader as Loader,
        { id: pid },
        "clinic.patient.read",
        pid,
      ],
      ["/doctor/records", recordsLoader as Loader, {}, "clinic.records.list", null],
      ["/doctor/records/images", imagesLoader as Loader, {}, "clinic.records.images", null],
      ...s.routes
        .filter(([path]) => path.endsWith("/report"))
        .map(
          ([path, loader, params]) =>
            [path, loader, params, "clinic.record.read", pid] as [
              string,
              Loader,
              Record<string, string>,
              string,
              string | null,
            ],
        ),
      ["/doctor/statistics", statisticsLoader as Loader, {}, "statistics.doctor.read", null],
    ];
    const rowsOf = async (action: string) =>
      (await getDb().select().from(auditLog).where(eq(auditLog.actorId, s.owner.doctor.id))).filter(
        (a) => a.action === action,
      );
    for (const [path, loader, params, action, target] of reads) {
      const before = (await rowsOf(action)).length;
      expect([path, await statusFor(loader, await getArgs(s.owner.doctor, path, params))]).toEqual([
        path,
        200,
      ]);
      const after = await rowsOf(action);
      expect([path, after.length - before]).toEqual([path, 1]);
      if (target) expect([path, after.at(-1)!.targetId]).toEqual([path, target]);
    }
  });

  test("a doctor whose certification is suspended loses the clinic too (403), and regains it", async () => {
    const s = await setting();
    const params = { id: s.owner.patient.id };
    const path = `/doctor/patients/${params.id}`;
    for (const [status, expected] of [
      ["suspended", 403],
      ["verified", 200],
    ] as const) {
      await inTransaction(({ tx }) =>
        tx.update(doctorProfiles).set({ status }).where(eq(doctorProfiles.id, s.owner.profile.id)),
      );
      const args = await getArgs(s.owner.doctor, path, params);
      expect([status, await statusFor(patientLoader as Loader, args)]).toEqual([status, expected]);
    }
  });

  test("the actions refuse the same people: another doctor 404 on my patient, a patient 404, an unverified doctor 403", async () => {
    const s = await setting();
    const pid = s.owner.patient.id;
    const params = { id: pid };
    const person = { clinicRef: "X", name: "Someone", birthDate: "1990-01-01", sex: "male" };
    type Action = (args: Awaited<ReturnType<typeof postArgs>>) => Promise<unknown>;
    const patientPage = `/doctor/patients/${pid}`;
    const editPage = `${patientPage}/edit`;
    const rows: [string, { id: string }, Action, string, Record<string, string>, number][] = [
      [
        "other: invite",
        s.other.doctor,
        patientAction as Action,
        patientPage,
        { intent: "invite" },
        404,
      ],
      [
        "other: invite by e-mail",
        s.other.doctor,
        patientAction as Action,
        patientPage,
        { intent: "invite-email", email: "x@example.org" },
        404,
      ],
      ["other: edit", s.other.doctor, editAction as Action, editPage, person, 404],
      ["other: delete", s.other.doctor, editAction as Action, editPage, { intent: "delete" }, 404],
      ["patient: edit", s.patient, editAction as Action, editPage, person, 404],
      ["patient: register", s.patient, newAction as Action, "/doctor/patients/new", person, 404],
      ["unverified: register", s.pending, newAction as Action, "/doctor/patients/new", person, 403],
      ["unverified: edit", s.pending, editAction as Action, editPage, person, 403],
    ];
    for (const [name, user, action, path, fields, status] of rows) {
      const refused = await thrownResponse(action(await postArgs(user, path, params, fields)));
      expect([name, refused.status]).toEqual([name, status]);
    }
    // Nothing was changed or removed.
    const page = await patientLoader(await getArgs(s.owner.doctor, patientPage, params));
    expect(page.patient.clinicRef).toBe(s.owner.patient.clinicRef);
  });

  test("the clinic upload's JSON endpoint: patients and admins 404", async () => {
    const s = await setting();
    const path = `/api/clinic/patients/${s.owner.patient.id}/analyses`;
    const params = { id: s.owner.patient.id };
    for (const [who, user] of [
      ["patient", s.patient],
      ["admin", s.admin],
    ] as const) {
      const refused = await thrownResponse(apiUpload(await postArgs(user, path, params, {})));
      expect([who, refused.status]).toEqual([who, 404]);
    }
  });
});
