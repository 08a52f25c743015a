import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { sessions, users } from "#db/schema";
import { can } from "~/auth/permissions";
import { createUserSession } from "~/auth/session.server";
import { listJobs } from "~/lab/jobs.server";
import { grantResearcher, listResearchers, revokeResearcher } from "~/lab/researchers.server";
import { makeUser } from "../helpers";

const actorOf = (u: { id: string; role: string }) =>
  ({ id: u.id, role: u.role }) as Parameters<typeof can>[0] & object;

const roleOf = async (id: string) =>
  (await getDb().select({ role: users.role }).from(users).where(eq(users.id, id)).limit(1))[0]
    ?.role;

describe("the researcher role", () => {
  test("an admin grants it to a patient account, which is signed out and may then use the lab but not promote or manage researchers", async () => {
    const admin = actorOf(await makeUser("admin"));
    const patient = await makeUser("patient");
    await createUserSession(patient.id);
    await grantResearcher(admin, patient.email.toUpperCase());
    expect(await roleOf(patient.id)).toBe("researcher");
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, patient.id))).toEqual(
      [],
    );
    const researcher = actorOf({ id: patient.id, role: "researcher" });
    expect(can(researcher, { type: "lab:use" })).toBe(true);
    expect(can(researcher, { type: "model:promote" })).toBe(false);
    expect(can(researcher, { type: "admin:access" })).toBe(false);
    expect(can(researcher, { type: "patient:access" })).toBe(false);
    await expect(listJobs(researcher)).resolves.toBeDefined();
    await expect(listResearchers(researcher)).rejects.toMatchObject({ kind: "not-found" });
    expect((await listResearchers(admin)).map((r) => r.id)).toEqual([patient.id]);

    await revokeResearcher(admin, patient.id);
    expect(await roleOf(patient.id)).toBe("patient");
    await expect(revokeResearcher(admin, patient.id)).rejects.toMatchObject({ kind: "not-found" });
  });

  test("doctors, admins, one's own account and unknown addresses are refused with a message", async () => {
    const admin = await makeUser("admin");
    const doctor = await makeUser("doctor");
    const other = await makeUser("admin");
    await expect(grantResearcher(actorOf(admin), doctor.email)).rejects.toMatchObject({
      kind: "invalid",
      options: { field: "email" },
      message: expect.stringMatching(/Only a patient account/),
    });
    await expect(grantResearcher(actorOf(admin), other.email)).rejects.toMatchObject({
      kind: "invalid",
    });
    await expect(grantResearcher(actorOf(admin), admin.email)).rejects.toThrow(/your own role/);
    await expect(grantResearcher(actorOf(admin), "nobody@example.test")).rejects.toThrow(
      /No account/,
    );
    expect(await roleOf(doctor.id)).toBe("doctor");
    const patient = await makeUser("patient");
    await expect(grantResearcher(actorOf(patient), patient.email)).rejects.toMatchObject({
      kind: "not-found",
    });
  });
});
