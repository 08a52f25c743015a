import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { auditLog, labDatasets } from "#db/schema";
import { buildConsentedDataset } from "~/lab/consented.server";
import { incomingRoot } from "~/lab/upload.server";
import { fetchStored } from "./stored";
import { revokeAllResearchConsents } from "~/research/consent.server";
import { answeredUpload } from "../analyses/fixtures";
import { makeCertifiedDoctor, makeUser } from "../helpers";

type User = Awaited<ReturnType<typeof makeUser>>;
let doctor: Awaited<ReturnType<typeof makeCertifiedDoctor>>;

beforeAll(async () => {
  doctor = await makeCertifiedDoctor({ offersTeleconsultation: true });
});

const actor = (user: User) => ({ id: user.id, role: user.role });
const incoming = () => (fs.existsSync(incomingRoot()) ? fs.readdirSync(incomingRoot()) : []);

describe("a lab dataset from patients' consented analyses", () => {
  test("nothing to build yet: a clear refusal, no dataset, no file", async () => {
    const admin = await makeUser("admin");
    const patient = await makeUser("patient");
    await answeredUpload(patient, doctor, "pre_b", false);
    await expect(buildConsentedDataset(actor(admin), "Ward")).rejects.toThrow(
      /none has both the patient's consent to research use and a hematologist's final staging/,
    );
    expect(await getDb().select().from(labDatasets)).toEqual([]);
    expect(incoming()).toEqual([]);
  });

  test("consented analyses with a hematologist's staging become a de-identified dataset with its report; a withdrawn consent keeps them out of the next build", async () => {
    const admin = await makeUser("admin");
    const consenting = await makeUser("patient");
    const withdrawing = await makeUser("patient");
    const declining = await makeUser("patient");
    const kept = [
      await answeredUpload(consenting, doctor, "benign", true),
      await answeredUpload(consenting, doctor, "pro_b", true),
    ];
    await answeredUpload(consenting, doctor, "other_leukaemia_suspected", true);
    await answeredUpload(withdrawing, doctor, "early_pre_b", true);
    await answeredUpload(declining, doctor, "pre_b", false);

    const first = await buildConsentedDataset(actor(admin), "Consented, first build");
    expect(first).toMatchObject({ name: "Consented, first build", status: "staged", images: 3 });
    expect(first.report.layout).toBe("manifest");
    expect(first.report.perClass).toEqual({ Benign: 1, Early: 1, Pre: 0, Pro: 1 });
    // The dataset layout, named and ordered at random: nothing points back at a person or a record.
    const dir = await fetchStored(first.id);
    const stored = fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".jpg"));
    expect(stored).toHaveLength(3);
    for (const file of stored) {
      expect(file.split(path.sep).join("/")).toMatch(/^(Benign|Early|Pro)\/[0-9a-f-]{36}\.jpg$/);
    }
    const manifest = fs.readFileSync(path.join(dir, "manifest.csv"), "utf8");
    for (const secret of [
      consenting.id,
      consenting.email,
      withdrawing.id,
      ...kept.map((a) => a.id),
      ...kept.map((a) => a.imageKey),
    ]) {
      expect(manifest).not.toContain(secret);
    }
    // The export's archive was only a step: nothing is left in the incoming folder.
    expect(incoming()).toEqual([]);
    const audited = await getDb()
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(eq(auditLog.actorId, admin.id));
    expect(audited.map((a) => a.action).sort()).toEqual(["lab.dataset.upload", "research.export"]);

    await revokeAllResearchConsents(actor(withdrawing));
    const second = await buildConsentedDataset(actor(admin), "Consented, second build");
    expect(second.report.perClass).toEqual({ Benign: 1, Early: 0, Pre: 0, Pro: 1 });
    expect(second.images).toBe(2);
  });

  test("only the lab's roles may build one; a patient or a doctor finds nothing", async () => {
    const patient = await makeUser("patient");
    await expect(buildConsentedDataset(actor(patient), "Mine")).rejects.toThrow(
      expect.objectContaining({ kind: "not-found" }),
    );
    await expect(
      buildConsentedDataset({ id: doctor.user.id, role: "doctor" }, "Mine"),
    ).rejects.toThrow(expect.objectContaining({ kind: "not-found" }));
  });
});
