import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { inTransaction } from "~/data/unit-of-work.server";
import { auditLog, modelPromotions } from "#db/schema";
import { activeVersion, getClassifier, readModelFile } from "~/classifier/node.server";
import { getModelCard } from "~/classifier/card.server";
import {
  promoteCandidate,
  promotionHistory,
  reviewCandidate,
  rollBack,
  writeComparison,
} from "~/lab/promotion.server";
import { promotionChecks, type MeasuredFigures } from "~/lab/promotion-rule";
import { listVersions } from "~/lab/versions.server";
import { makeUser } from "../helpers";
import { labVersionName, SHIPPED_MODELS, storeCandidate, succeededJob } from "./fixtures";

const SHIPPED = SHIPPED_MODELS;
const IN_USE = "2026-12-01-normalised-cnn128";
const EARLIER = "2026-12-01-capture-cnn128";

let models: string;
const previousModelsDir = process.env.MODELS_DIR;

const cardMetrics = (dir: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(dir, "model-card.json"), "utf8")) as {
      metrics: MeasuredFigures;
    }
  ).metrics;

async function person(role: "admin" | "researcher" | "patient") {
  const user = await makeUser(role);
  return { id: user.id, role: user.role };
}

/** A finished job whose candidate is a renamed copy of the model in use, compared with it. */
async function finishedCandidate(
  actor: { id: string },
  adjust: (m: MeasuredFigures) => MeasuredFigures = (m) => m,
  files?: (dir: string) => void,
) {
  const version = labVersionName();
  const job = await succeededJob(actor, version);
  await storeCandidate(job, IN_USE, files);
  const current = cardMetrics(path.join(SHIPPED, IN_USE));
  await writeComparison(job, {
    measuredAt: new Date().toISOString(),
    current: { version: IN_USE, metrics: current },
    candidate: { version, metrics: adjust(structuredClone(current)) },
  });
  return { job };
}

const currentFile = () =>
  (JSON.parse(fs.readFileSync(path.join(models, "current.json"), "utf8")) as { version: string })
    .version;

beforeEach(() => {
  models = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-models-"));
  fs.cpSync(path.join(SHIPPED, IN_USE), path.join(models, IN_USE), { recursive: true });
  fs.cpSync(path.join(SHIPPED, EARLIER), path.join(models, EARLIER), { recursive: true });
  fs.writeFileSync(path.join(models, "current.json"), JSON.stringify({ version: IN_USE }));
  process.env.MODELS_DIR = models;
});
afterEach(async () => {
  process.env.MODELS_DIR = previousModelsDir;
  if (previousModelsDir === undefined) delete process.env.MODELS_DIR;
  fs.rmSync(models, { recursive: true, force: true });
  await inTransaction(({ tx }) => tx.delete(modelPromotions));
});

describe("promoting a lab candidate", () => {
  test("an admin promotes a candidate after typing the phrase; the next analysis uses it without a restart", async () => {
    const admin = await person("admin");
    const { job } = await finishedCandidate(admin);
    const review = await reviewCandidate(admin, job.id);
    expect(review.problems).toEqual([]);
    expect(review.checks.every((c) => c.passed)).toBe(true);
    expect(review.promotable).toBe(true);

    await expect(promoteCandidate(admin, job.id, "yes")).rejects.toMatchObject({
      kind: "invalid",
      options: { field: "confirmation" },
    });
    expect(await activeVersion()).toBe(IN_USE);

    const change = await promoteCandidate(admin, job.id, `use ${job.version}`);
    expect(change).toMatchObject({
      version: job.version,
      previousVersion: IN_USE,
      kind: "promote",
    });
    expect(await activeVersion()).toBe(job.version);
    expect(currentFile()).toBe(job.version);
    expect(fs.existsSync(path.join(models, job.version, "weights.bin"))).toBe(true);
    expect(fs.readdirSync(models).filter((f) => f.startsWith("."))).toEqual([]);
    expect((await getClassifier()).config.version).toBe(job.version);
    expect((await getModelCard()).version).toBe(job.version);
    expect(await readModelFile(job.version, "model.json")).not.toBeNull();
    expect(await readModelFile("../etc", "passwd")).toBeNull();
    const audited = await getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "model.promote"));
    expect(audited).toMatchObject([{ actorId: admin.id, targetId: job.version }]);
    expect((await listVersions(admin)).find((v) => v.current)?.version).toBe(job.version);
    // The comparison was made against the version that is no longer in use.
    expect((await reviewCandidate(admin, job.id)).promotable).toBe(false);
  }, 60_000);

  test("a researcher may compare but not promote; a patient does not see the lab", async () => {
    const admin = await person("admin");
    const { job } = await finishedCandidate(admin);
    const researcher = await person("researcher");
    expect((await reviewCandidate(researcher, job.id)).promotable).toBe(true);
    await expect(promoteCandidate(researcher, job.id, `use ${job.version}`)).rejects.toMatchObject({
      kind: "forbidden",
    });
    await expect(rollBack(researcher, EARLIER, `use ${EARLIER}`)).rejects.toMatchObject({
      kind: "forbidden",
    });
    const patient = await person("patient");
    await expect(promoteCandidate(patient, job.id, `use ${job.version}`)).rejects.toMatchObject({
      kind: "not-found",
    });
    expect(await activeVersion()).toBe(IN_USE);
  });

  test("a candidate with a missing weight file or a card that fails the rule is refused and nothing changes", async () => {
    const admin = await person("admin");
    const broken = await finishedCandidate(admin, undefined, (dir) =>
      fs.rmSync(path.join(dir, "weights.bin")),
    );
    await expect(
      promoteCandidate(admin, broken.job.id, `use ${broken.job.version}`),
    ).rejects.toMatchObject({
      kind: "invalid",
      options: { status: 422 },
      message: expect.stringMatching(/weight file weights\.bin is missing/),
    });

    const worse = await finishedCandidate(admin, (m) => ({
      ...m,
      staged: { ...m.staged, leukaemicCalledBenignRate: m.staged.leukaemicCalledBenignRate + 0.05 },
    }));
    const review = await reviewCandidate(admin, worse.job.id);
    expect(review.promotable).toBe(false);
    expect(review.checks.find((c) => c.id === "leukaemic-called-benign")?.passed).toBe(false);
    await expect(promoteCandidate(admin, worse.job.id, `use ${worse.job.version}`)).rejects.toThrow(
      /does not pass the promotion rule: Leukaemic test smears called benign/,
    );

    expect(await activeVersion()).toBe(IN_USE);
    expect(currentFile()).toBe(IN_USE);
    expect(fs.existsSync(path.join(models, broken.job.version))).toBe(false);
    expect(fs.existsSync(path.join(models, worse.job.version))).toBe(false);
    expect(await getDb().select().from(modelPromotions)).toEqual([]);
  });
});

describe("rolling back", () => {
  test("an admin puts an earlier version back and then the later one; the history keeps both", async () => {
    const admin = await person("admin");
    await rollBack(admin, EARLIER, `use ${EARLIER}`);
    expect(await activeVersion()).toBe(EARLIER);
    expect(currentFile()).toBe(EARLIER);
    expect((await getClassifier()).config.version).toBe(EARLIER);
    await expect(rollBack(admin, EARLIER, `use ${EARLIER}`)).rejects.toMatchObject({
      kind: "conflict",
    });
    await rollBack(admin, IN_USE, `use ${IN_USE}`);
    expect(await activeVersion()).toBe(IN_USE);
    expect((await promotionHistory()).map((h) => [h.kind, h.version, h.previousVersion])).toEqual([
      ["rollback", IN_USE, EARLIER],
      ["rollback", EARLIER, IN_USE],
    ]);
  }, 60_000);

  test("a version with a missing file, or one that does not exist, cannot be put back", async () => {
    const admin = await person("admin");
    fs.rmSync(path.join(models, EARLIER, "runtime.json"));
    await expect(rollBack(admin, EARLIER, `use ${EARLIER}`)).rejects.toMatchObject({
      kind: "invalid",
      message: expect.stringMatching(/runtime\.json is missing/),
    });
    await expect(rollBack(admin, "no-such-version", "use no-such-version")).rejects.toMatchObject({
      kind: "not-found",
    });
    await expect(rollBack(admin, "..", "use ..")).rejects.toMatchObject({ kind: "not-found" });
    expect(await activeVersion()).toBe(IN_USE);
  });
});

describe("the promotion rule", () => {
  const figures = cardMetrics(path.join(SHIPPED, IN_USE));

  test("the same figures pass; refusing every image, or calling more leukaemia benign under a re-capture, fails", () => {
    expect(promotionChecks(figures, figures).every((c) => c.passed)).toBe(true);
    const refusesAll: MeasuredFigures = {
      ...figures,
      staged: { ...figures.staged, images: 0, leukaemicCalledBenignRate: 0, accuracy: 1 },
    };
    const failed = promotionChecks(refusesAll, figures).filter((c) => !c.passed);
    expect(failed.map((c) => c.id)).toContain("staged-share");
    const eyepiece = figures.recaptures.eyepiece!;
    const worseThroughEyepiece: MeasuredFigures = {
      ...figures,
      recaptures: {
        ...figures.recaptures,
        eyepiece: {
          ...eyepiece,
          leukaemicCalledBenignRate: eyepiece.leukaemicCalledBenignRate + 0.01,
        },
      },
    };
    expect(
      promotionChecks(worseThroughEyepiece, figures)
        .filter((c) => !c.passed)
        .map((c) => c.id),
    ).toEqual(["recapture-eyepiece"]);
  });
});
