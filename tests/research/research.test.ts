import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { getDb } from "#db/client";
import { auditLog, researchConsents } from "#db/schema";
import { createAnalysis } from "~/analyses/create.server";
import { canExportResearch } from "~/auth/permissions";
import { stageDataset } from "~/lab/datasets.server";
import { archiveLimits } from "~/lab/limits";
import { getEnv } from "~/env.server";
import { action as dataAction, loader as dataLoader } from "~/routes/account.data";
import { loader as researchLoader } from "~/routes/admin.research";
import { loader as downloadLoader } from "~/routes/admin.research_.download";
import { loader as newAnalysisLoader } from "~/routes/analyses.new";
import { answeredUpload, fixedClassifier } from "../analyses/fixtures";
import {
  formRequest,
  getRequest,
  makeCertifiedDoctor,
  makeUser,
  sessionCookieFor,
  thrownResponse,
} from "../helpers";
import { smearLikeImage } from "../uploads/images";

type User = Awaited<ReturnType<typeof makeUser>>;
type Doctor = Awaited<ReturnType<typeof makeCertifiedDoctor>>;

const args = (request: Request) => ({ request, context: {}, params: {} });

async function downloadAs(user: User) {
  const response = await downloadLoader(
    args(getRequest("/admin/research/download", { Cookie: await sessionCookieFor(user.id) })),
  );
  return response as Response;
}

describe("research consent", () => {
  test("off by default: an upload without the box ticked records no consent", async () => {
    const patient = await makeUser("patient");
    const analysis = await createAnalysis(
      patient,
      { bytes: await smearLikeImage() },
      fixedClassifier,
    );
    const rows = await getDb()
      .select()
      .from(researchConsents)
      .where(eq(researchConsents.analysisId, analysis.id));
    expect(rows).toEqual([]);
    const page = await newAnalysisLoader(
      args(getRequest("/analyses/new", { Cookie: await sessionCookieFor(patient.id) })),
    );
    expect(page.researchByDefault).toBe(false);
  });

  test("a ticked upload records its consent with the analysis, audited", async () => {
    const patient = await makeUser("patient");
    const analysis = await createAnalysis(
      patient,
      { bytes: await smearLikeImage(), researchConsent: true },
      fixedClassifier,
    );
    const [row] = await getDb()
      .select()
      .from(researchConsents)
      .where(eq(researchConsents.analysisId, analysis.id));
    expect(row).toMatchObject({ patientId: patient.id, revokedAt: null });
    const audited = await getDb()
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, "research.consent.grant"), eq(auditLog.targetId, analysis.id)),
      );
    expect(audited).toHaveLength(1);
  });

  test("settings: future uploads on, the upload form starts ticked; revoke withdraws every consent", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    await createAnalysis(
      patient,
      { bytes: await smearLikeImage(), researchConsent: true },
      fixedClassifier,
    );
    await createAnalysis(
      patient,
      { bytes: await smearLikeImage(230, 210), researchConsent: true },
      fixedClassifier,
    );
    const before = await dataLoader(args(getRequest("/account/data", { Cookie: cookie })));
    expect(before.research).toEqual({ shareFutureUploads: false, consented: 2 });

    const on = await dataAction(
      args(
        formRequest(
          "/account/data",
          { intent: "research-preference", shareFutureUploads: "on" },
          { Cookie: cookie },
        ),
      ),
    );
    expect((on as Response).status).toBe(302);
    const form = await newAnalysisLoader(args(getRequest("/analyses/new", { Cookie: cookie })));
    expect(form.researchByDefault).toBe(true);

    const revoke = await dataAction(
      args(formRequest("/account/data", { intent: "research-revoke" }, { Cookie: cookie })),
    );
    expect((revoke as Response).status).toBe(302);
    const after = await dataLoader(args(getRequest("/account/data", { Cookie: cookie })));
    expect(after.research).toEqual({ shareFutureUploads: true, consented: 0 });
    const actions = (
      await getDb()
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(eq(auditLog.actorId, patient.id))
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(["research.preference.on", "research.consent.revoke"]),
    );
  });
});

describe("the research export", () => {
  let admin: User;
  let doctor: Doctor;

  beforeAll(async () => {
    admin = await makeUser("admin");
    doctor = await makeCertifiedDoctor({ offersTeleconsultation: true });
  });

  test("only an admin (or a researcher) may export; others get 404, visitors the login", async () => {
    expect(canExportResearch(admin)).toBe(true);
    expect(canExportResearch({ id: "r", role: "researcher" as never })).toBe(true);
    expect(canExportResearch(null)).toBe(false);
    for (const role of ["patient", "doctor"] as const) {
      const user = await makeUser(role);
      const cookie = await sessionCookieFor(user.id);
      for (const load of [researchLoader, downloadLoader]) {
        const refused = await thrownResponse(
          load(args(getRequest("/admin/research", { Cookie: cookie }))),
        );
        expect([role, refused.status]).toEqual([role, 404]);
      }
    }
    const visitor = await thrownResponse(
      downloadLoader(args(getRequest("/admin/research/download"))),
    );
    expect(visitor.status).toBe(302);
    expect(visitor.headers.get("Location")).toMatch(/^\/login/);
  });

  test("consented, hematologist-labelled images in the lab's layout; the lab's validator accepts it", async () => {
    const consenting = await makeUser("patient");
    const declining = await makeUser("patient");
    const revoking = await makeUser("patient");
    const included = [
      await answeredUpload(consenting, doctor, "pre_b", true),
      await answeredUpload(consenting, doctor, "benign", true),
      await answeredUpload(consenting, doctor, "pro_b", true),
    ];
    await answeredUpload(consenting, doctor, "other_leukaemia_suspected", true);
    const notConsented = await answeredUpload(declining, doctor, "pre_b", false);
    await answeredUpload(revoking, doctor, "early_pre_b", true);
    await dataAction(
      args(
        formRequest(
          "/account/data",
          { intent: "research-revoke" },
          { Cookie: await sessionCookieFor(revoking.id) },
        ),
      ),
    );
    // Consented but never answered: no hematologist's label, not in the export.
    await createAnalysis(
      consenting,
      { bytes: await smearLikeImage(300, 280), researchConsent: true },
      fixedClassifier,
    );

    const page = await researchLoader(
      args(getRequest("/admin/research", { Cookie: await sessionCookieFor(admin.id) })),
    );
    expect(page.summary.included).toEqual({ Benign: 1, Early: 0, Pre: 1, Pro: 1 });
    expect(page.summary.excluded.other_leukaemia_suspected).toBe(1);

    const response = await downloadAs(admin);
    expect(response.headers.get("Content-Type")).toBe("application/zip");
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const bytes = new Uint8Array(await response.arrayBuffer());
    const files = unzipSync(bytes);
    const names = Object.keys(files).sort();
    expect(names.filter((n) => n.endsWith(".jpg"))).toHaveLength(3);
    for (const n of names.filter((n) => n.endsWith(".jpg"))) {
      expect(n).toMatch(/^(Benign|Early|Pre|Pro)\/[0-9a-f-]{36}\.jpg$/);
    }
    const manifest = strFromU8(files["manifest.csv"]!);
    const [header, ...rows] = manifest.trim().split("\n");
    expect(header).toBe(
      "file,class,model_version,month,red_cell_diameter,red_cell_spread,red_cells,white_cells,scale,focus,field",
    );
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => r.split(",")[1]).sort()).toEqual(["Benign", "Pre", "Pro"]);
    for (const row of rows) expect(row.split(",")[3]).toMatch(/^\d{4}-\d{2}$/);
    // Nothing that names or points back at a person or a record.
    const everything = Object.values(files)
      .map((f) => Buffer.from(f).toString("latin1"))
      .join("");
    for (const secret of [
      consenting.id,
      consenting.email,
      consenting.displayName,
      doctor.user.displayName,
      notConsented.id,
      ...included.map((a) => a.id),
      ...included.map((a) => a.imageKey),
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(
      await getDb().select().from(auditLog).where(eq(auditLog.action, "research.export")),
    ).toHaveLength(1);

    // The model lab's own dataset check takes the export as it is.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "research-")), "export.zip");
    fs.writeFileSync(file, bytes);
    const dataset = await stageDataset(
      admin,
      { archive: file, name: "Research export" },
      archiveLimits(getEnv()),
    );
    expect(dataset.report.layout).toBe("manifest");
    expect(dataset.report.perClass).toEqual({ Benign: 1, Early: 0, Pre: 1, Pro: 1 });
    expect(dataset.images).toBe(3);
  });
});
