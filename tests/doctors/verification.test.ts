import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, doctorProfiles } from "#db/schema";
import { updateOwnProfile } from "~/doctors/profile.server";
import { decideVerification, listPendingDoctors } from "~/doctors/verification.server";
import { ProfileSchema } from "~/doctors/validation";
import { makeUser, profileOf, thrownResponse } from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";
import { profileInput } from "./fixtures";

const inIndex = (geoId: number | null) =>
  getDb().$client.prepare("select count(*) as n from doctor_geo where id = ?").get(geoId) as {
    n: number;
  };

describe("doctor verification", () => {
  test("an admin approves a pending profile: certified, verified by, in the spatial index, audited", async () => {
    const admin = await makeUser("admin");
    const doctor = await makeUser("doctor");
    await updateOwnProfile(doctor, profileInput());
    const profile = await profileOf(doctor.id);
    expect(profile.status).toBe("pending");
    expect(inIndex(profile.geoId).n).toBe(0);
    expect((await listPendingDoctors(admin)).map((d) => d.profileId)).toContain(profile.id);

    await decideVerification(admin, profile.id, { approve: true });
    const after = await profileOf(doctor.id);
    expect(after).toMatchObject({ status: "verified", verifiedBy: admin.id, country: "FR" });
    expect(after.verifiedAt).toBeInstanceOf(Date);
    expect(inIndex(after.geoId).n).toBe(1);
    const audits = await getDb().select().from(auditLog).where(eq(auditLog.targetId, profile.id));
    expect(audits.map((a) => a.action)).toContain("doctor.verify.approve");
  });

  test("changing the licence sends a certified profile back to verification and out of the index", async () => {
    const admin = await makeUser("admin");
    const doctor = await makeUser("doctor");
    await updateOwnProfile(doctor, profileInput());
    await decideVerification(admin, (await profileOf(doctor.id)).id, { approve: true });
    // Other fields: still certified.
    expect(
      (await updateOwnProfile(doctor, profileInput({ bio: "New bio" }))).backToVerification,
    ).toBe(false);
    expect((await profileOf(doctor.id)).status).toBe("verified");
    // Licence: back to pending, unlisted in the same transaction.
    expect(
      (await updateOwnProfile(doctor, profileInput({ licenceNumber: "LIC-2" }))).backToVerification,
    ).toBe(true);
    const after = await profileOf(doctor.id);
    expect(after.status).toBe("pending");
    expect(inIndex(after.geoId).n).toBe(0);
  });

  test.each([
    ["title", { title: "Prof" }],
    ["clinic name", { clinicName: "Another Clinic" }],
  ])(
    "changing the publicly shown %s sends a certified profile back to verification",
    async (_field, change) => {
      const admin = await makeUser("admin");
      const doctor = await makeUser("doctor");
      await updateOwnProfile(doctor, profileInput());
      await decideVerification(admin, (await profileOf(doctor.id)).id, { approve: true });
      expect((await updateOwnProfile(doctor, profileInput(change))).backToVerification).toBe(true);
      const after = await profileOf(doctor.id);
      expect(after).toMatchObject({ status: "pending", verifiedAt: null, verifiedBy: null });
      expect(inIndex(after.geoId).n).toBe(0);
      const audits = await getDb().select().from(auditLog).where(eq(auditLog.targetId, after.id));
      expect(audits.at(-1)?.detail).toMatch(/public identity changed/);
    },
  );

  test("a rejection carries the reason the doctor sees; deciding twice is a 404", async () => {
    const admin = await makeUser("admin");
    const doctor = await makeUser("doctor");
    const id = (await profileOf(doctor.id)).id;
    await decideVerification(admin, id, {
      approve: false,
      reason: "Licence number not found in the register",
    });
    expect(await profileOf(doctor.id)).toMatchObject({
      status: "rejected",
      rejectionReason: "Licence number not found in the register",
    });
    expect(
      (await thrownResponse(() => decideVerification(admin, id, { approve: true }))).status,
    ).toBe(404);
  });

  test("only an admin decides, and never on their own profile", async () => {
    const doctor = await makeUser("doctor");
    const other = await makeUser("doctor");
    const id = (await profileOf(other.id)).id;
    expect(
      (await thrownResponse(() => decideVerification(doctor, id, { approve: true }))).status,
    ).toBe(404);
    expect((await thrownResponse(() => listPendingDoctors(doctor))).status).toBe(404);
    // An admin with a doctor profile of their own (inserted directly) cannot approve it.
    const admin = await makeUser("admin");
    await inTransaction(({ tx }) =>
      tx.insert(doctorProfiles).values({ userId: admin.id, status: "pending" }),
    );
    const own = (await profileOf(admin.id)).id;
    expect(
      (await thrownResponse(() => decideVerification(admin, own, { approve: true }))).status,
    ).toBe(404);
    expect((await profileOf(admin.id)).status).toBe("pending");
  });

  test("profile validation explains each bad field", () => {
    const result = ProfileSchema.safeParse({
      licenceNumber: "",
      licenceAuthority: "x",
      boardCertifications: "x",
      specialties: ["astrology"],
      languages: [],
      clinicName: "c",
      streetAddress: "s",
      city: "c",
      country: "France",
      lat: 95,
      lng: 0,
      website: "javascript:alert(1)",
    });
    expect(result.success).toBe(false);
    const fields = new Set(result.error!.issues.map((i) => i.path[0]));
    for (const f of ["licenceNumber", "specialties", "languages", "country", "lat", "website"]) {
      expect(fields).toContain(f);
    }
  });
});
