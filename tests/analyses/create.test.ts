import fs from "node:fs";
import path from "node:path";
import { getDb } from "#db/client";
import { analyses, auditLog } from "#db/schema";
import {
  deleteOwnAnalysis,
  getOwnAnalysis,
  listOwnAnalyses,
  readOwnAnalysisImage,
} from "~/analyses/analyses.server";
import { createAnalysis } from "~/analyses/create.server";
import { ImageRejected } from "~/uploads/image.server";
import { fromAddress, makeUser, thrownResponse } from "../helpers";
import { smearLikeImage } from "../uploads/images";
import { fixedClassifier } from "./fixtures";

const imagesDir = () => path.join(process.env.DATA_DIR!, "images");
const storedFileCount = () =>
  fs.existsSync(imagesDir())
    ? fs.readdirSync(imagesDir(), { recursive: true }).filter((f) => String(f).includes(".")).length
    : 0;

describe("creating an analysis", () => {
  test("stores the files and the row together, scoped to the patient", async () => {
    const patient = await makeUser("patient");
    const before = storedFileCount();
    const bytes = await smearLikeImage();
    const analysis = await createAnalysis(
      patient,
      { bytes, ageBracket: "child", note: "hi" },
      fixedClassifier,
    );
    expect(analysis).toMatchObject({
      patientId: patient.id,
      topClass: "pre_b",
      ageBracket: "child",
    });
    expect(analysis.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(storedFileCount()).toBe(before + 3);
    expect((await listOwnAnalyses(patient)).map((a) => a.id)).toEqual([analysis.id]);
    const image = await readOwnAnalysisImage(patient, analysis.id, "heatmap");
    expect(image.contentType).toBe("image/png");
  });

  test("a refused image leaves no row and no file", async () => {
    const patient = await makeUser("patient");
    const rows = (await getDb().select().from(analyses)).length;
    const files = storedFileCount();
    await expect(
      createAnalysis(patient, { bytes: Buffer.from("<svg/>") }, fixedClassifier),
    ).rejects.toBeInstanceOf(ImageRejected);
    expect(await getDb().select().from(analyses)).toHaveLength(rows);
    expect(storedFileCount()).toBe(files);
  });

  test("a failure after the files are written removes them again", async () => {
    const patient = await makeUser("patient");
    const files = storedFileCount();
    const badClassifier: typeof fixedClassifier = async (image) => {
      const result = await fixedClassifier(image);
      // An invalid class violates the table's constraints at insert time.
      return { ...result, classification: { ...result.classification, verdict: "maybe" as "ok" } };
    };
    await expect(
      createAnalysis(patient, { bytes: await smearLikeImage() }, badClassifier),
    ).rejects.toThrow();
    expect(storedFileCount()).toBe(files);
    expect(await listOwnAnalyses(patient)).toEqual([]);
  });

  test("another patient, a doctor and the admin get 404; reads are audit-logged", async () => {
    const owner = await makeUser("patient");
    const analysis = await createAnalysis(
      owner,
      { bytes: await smearLikeImage() },
      fixedClassifier,
    );
    for (const other of [
      await makeUser("patient"),
      await makeUser("doctor"),
      await makeUser("admin"),
    ]) {
      expect((await thrownResponse(() => getOwnAnalysis(other, analysis.id))).status).toBe(404);
      expect(
        (await thrownResponse(readOwnAnalysisImage(other, analysis.id, "original"))).status,
      ).toBe(404);
      expect((await thrownResponse(deleteOwnAnalysis(other, analysis.id))).status).toBe(404);
    }
    await fromAddress("192.0.2.1", () => getOwnAnalysis(owner, analysis.id));
    const reads = (await getDb().select().from(auditLog)).filter(
      (r) => r.action === "analysis.read" && r.targetId === analysis.id,
    );
    expect(reads).toEqual([
      expect.objectContaining({ actorId: owner.id, ip: "192.0.2.1", outcome: "success" }),
    ]);
  });

  test("deleting removes the row and every stored file, and is audit-logged", async () => {
    const patient = await makeUser("patient");
    const files = storedFileCount();
    const analysis = await createAnalysis(
      patient,
      { bytes: await smearLikeImage() },
      fixedClassifier,
    );
    await deleteOwnAnalysis(patient, analysis.id);
    expect(storedFileCount()).toBe(files);
    expect(await listOwnAnalyses(patient)).toEqual([]);
    const rows = await getDb().select().from(auditLog);
    expect(rows.some((r) => r.action === "analysis.delete" && r.targetId === analysis.id)).toBe(
      true,
    );
  });
});
