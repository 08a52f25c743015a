// Two stateless instances of the production server on one Postgres database and one S3 bucket
// (issue 16, docs/decisions/070). Runs in the Postgres + S3 pass of the browser tests
// (`npm run test:e2e:scaled`), whose global setup started the cluster and the S3 server.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { getDb } from "#db/client";
import { analyses, modelPromotions } from "#db/schema";
import { CLASS_IDS, CLASS_LABELS } from "~/analyses/vocabulary";
import { createUserSession } from "~/auth/session.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { parseEnv } from "~/env.server";
import { placeTablePath } from "~/geo/place-table.server";
import { imageStoreFromEnv } from "~/uploads/storage.server";
import { startAppServer, type AppServer } from "../../scripts/lib/app-server";
import { makeCertifiedDoctor, makeUser } from "../helpers";
import { freshPostgresDatabase, freshS3Bucket } from "../setup/test-servers";
import { assessableSmear } from "../uploads/assessable";
import { launchBrowser, userIdByEmail } from "./browser";
import { rename, scratchFolder, uniqueEmail } from "./stories";

const files = scratchFolder("two-instances");
// The version the database names (a promotion row), and another one `current.json` names: the
// instances must use the database's (docs/decisions/060).
const IN_USE = "2026-12-04-soup-cnn128";
const FILE_DEFAULT = "2026-12-01-capture-cnn128";
const BACKOFF_AFTER = 4;

type Instance = AppServer & { name: string; local: string[] };
let a: Instance;
let b: Instance;
let browser: Browser;
let storeEnv: Record<string, string>;
const contexts: { context: BrowserContext; errors: string[] }[] = [];
let root: string;

/**
 * An instance whose every local path is an empty folder of its own: the working directory,
 * DATA_DIR and TMPDIR. The build, the models and the place table are read where they are.
 */
async function instance(name: string, env: Record<string, string>): Promise<Instance> {
  const local = ["cwd", "data", "tmp"].map((sub) => path.join(root, name, sub));
  for (const dir of local) fs.mkdirSync(dir, { recursive: true });
  const server = await startAppServer(
    { ...env, DATA_DIR: local[1]!, TMPDIR: local[2]! },
    { seed: false, cwd: local[0] },
  );
  return { ...server, name, local };
}

/** Every file or folder the instance left on its local disk. */
const writtenLocally = (i: Instance) =>
  i.local.flatMap((dir) => fs.readdirSync(dir, { recursive: true }).map((f) => `${dir}/${f}`));

async function profile(email?: string): Promise<Page> {
  const context = await browser.newContext();
  const errors: string[] = [];
  contexts.push({ context, errors });
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(error.message));
  if (email) {
    // The login fixture: a session row written to the shared database, its cookie on both.
    const [pair] = (await createUserSession(await userIdByEmail(email))).split(";");
    const [cookie, ...value] = pair!.split("=");
    for (const url of [a.baseUrl, b.baseUrl]) {
      await context.addCookies([{ name: cookie!, value: value.join("="), url }]);
    }
  }
  return page;
}

async function attemptLogin(at: Instance, email: string, password: string) {
  const response = await fetch(`${at.baseUrl}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: at.baseUrl },
    body: new URLSearchParams({ email, password }),
    redirect: "manual",
  });
  return response.status;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-instances-"));
  // A database and a bucket of this file's own on the pass's Postgres cluster and S3 server;
  // this process's data helpers use them too.
  process.env.DATABASE_URL = await freshPostgresDatabase();
  storeEnv = (await freshS3Bucket(`two-instances-${Date.now()}`)).env;
  const models = path.join(root, "models");
  for (const version of [IN_USE, FILE_DEFAULT]) {
    fs.cpSync(path.join("public", "models", version), path.join(models, version), {
      recursive: true,
    });
  }
  fs.writeFileSync(path.join(models, "current.json"), JSON.stringify({ version: FILE_DEFAULT }));
  await inTransaction(({ tx }) =>
    tx
      .insert(modelPromotions)
      .values({ version: IN_USE, previousVersion: FILE_DEFAULT, kind: "promote" }),
  );
  const env = {
    ...storeEnv,
    DATABASE_URL: process.env.DATABASE_URL,
    DATABASE_POOL_SIZE: "4",
    SESSION_SECRET: process.env.SESSION_SECRET!,
    MODELS_DIR: models,
    PLACES_DB: placeTablePath(),
    MAIL_TRANSPORT: "none",
    LOGIN_FAILURES_BEFORE_BACKOFF: String(BACKOFF_AFTER),
  };
  [a, b] = await Promise.all([instance("a", env), instance("b", env)]);
  browser = await launchBrowser();
}, 240_000);

afterEach(async () => {
  for (const { context, errors } of contexts.splice(0)) {
    await context.close();
    expect(errors).toEqual([]);
  }
});

afterAll(async () => {
  await browser?.close();
  for (const i of [a, b]) {
    if (!i) continue;
    await i.stop();
    if (process.env.E2E_KEEP === "1") fs.writeFileSync(`${root}/${i.name}.log`, i.output());
  }
  if (process.env.E2E_KEEP !== "1") fs.rmSync(root, { recursive: true, force: true });
});

describe("two instances on one Postgres database and one S3 bucket", () => {
  test("register on A, upload on B, the result on A, the doctor answers on A, the final answer on B; nothing on either's disk", async () => {
    const patient = await profile();
    // Registered on A: the session A created is a row both instances read.
    const email = uniqueEmail("instances");
    await patient.goto(`${a.baseUrl}/register`);
    await patient.getByLabel("Name").fill("Alba Instances");
    await patient.getByLabel("Email").fill(email);
    await patient.getByLabel("Password").fill("two instances passphrase");
    await patient.getByRole("button", { name: "Create account" }).click();
    await patient.waitForURL(`${a.baseUrl}/dashboard`);

    // The same cookie on B: a generated smear uploaded there.
    const smear = await assessableSmear(7, 448, "jpeg");
    const file = path.join(files, "smear.jpg");
    fs.writeFileSync(file, smear.bytes);
    await patient.goto(`${b.baseUrl}/analyses/new`);
    await patient.getByLabel("Smear image").setInputFiles(file);
    await patient.getByRole("button", { name: "Upload and analyse" }).click();
    await patient.waitForURL(new RegExp(`^${b.baseUrl}/analyses/[\\w-]{36}$`));
    const analysisId = new URL(patient.url()).pathname.split("/").pop()!;
    const row = (await getDb().select().from(analyses).where(eq(analyses.id, analysisId)))[0]!;
    // The model the database names, not the one in the models folder's current.json.
    expect(row.modelVersion).toBe(IN_USE);

    // The result on A, its image read from the bucket through A's guarded route.
    await patient.goto(`${a.baseUrl}/analyses/${analysisId}`);
    await patient.getByRole("heading", { name: "Your smear analysis" }).waitFor();
    const image = await patient.request.get(`${a.baseUrl}/analyses/${analysisId}/image/original`);
    expect(image.status()).toBe(200);
    expect(image.headers()["cache-control"]).toBe("private, no-store");
    const store = imageStoreFromEnv(parseEnv({ ...process.env, ...storeEnv }));
    const stored = await store.get(row.imageKey, "original");
    expect(stored).not.toBeNull();
    expect(Buffer.from(await image.body()).equals(stored!)).toBe(true);

    // Shared from B with a verified doctor, who accepts and answers on A.
    const dr = await makeCertifiedDoctor({
      title: "Dr",
      offersTeleconsultation: true,
      clinicName: "Two Instances clinic",
      city: "Paris",
      country: "FR",
    });
    await rename(dr.user.id, "Ada Shared");
    await patient.goto(
      `${b.baseUrl}/consultations/new?doctor=${dr.profile.id}&analysis=${analysisId}`,
    );
    await patient
      .getByLabel("Your message to the doctor")
      .fill("Two servers, one case: what do you see?");
    await patient.getByLabel("Dr Ada Shared may see this image and result.").check();
    await patient.getByRole("button", { name: "Send to Dr Ada Shared" }).click();
    await patient.waitForURL(new RegExp(`^${b.baseUrl}/consultations/[\\w-]{36}$`));
    const consultationId = new URL(patient.url()).pathname.split("/").pop()!;

    const doctor = await profile(dr.user.email);
    await doctor.goto(`${a.baseUrl}/doctor/cases/${consultationId}`);
    await doctor.getByText("Two servers, one case").waitFor();
    const caseImage = await doctor.request.get(
      `${a.baseUrl}/doctor/cases/${consultationId}/image/original`,
    );
    expect(caseImage.status()).toBe(200);
    await doctor.getByRole("button", { name: "Accept the case" }).click();
    await doctor.getByRole("heading", { name: "Your assessment" }).waitFor();
    const doctorClass = CLASS_IDS.find((c) => c !== row.topClass)!;
    await doctor.getByLabel(CLASS_LABELS[doctorClass], { exact: true }).check();
    await doctor
      .getByLabel("Morphology (for the record)")
      .fill("Medium-sized blasts, scant cytoplasm, fine chromatin.");
    await doctor.getByLabel("Advice to the patient").fill("Flow cytometry this week.");
    await doctor.getByLabel("Urgent (today)").check();
    await doctor.getByRole("button", { name: "Send my assessment" }).click();
    await doctor.getByRole("heading", { name: /Final — reviewed by Dr Ada Shared/ }).waitFor();

    // The patient reads the final answer on B.
    await patient.goto(`${b.baseUrl}/consultations/${consultationId}`);
    const assessment = patient.locator(".assessment");
    await assessment.getByRole("heading", { name: /Final — reviewed by Dr Ada Shared/ }).waitFor();
    expect(
      await assessment.getByRole("row", { name: /Hematologist’s assessment/ }).innerText(),
    ).toContain(CLASS_LABELS[doctorClass]);

    // Another patient gets 404 for the analysis and its image on both instances.
    const other = await makeUser("patient");
    const stranger = await profile(other.email);
    for (const at of [a, b]) {
      expect((await stranger.goto(`${at.baseUrl}/analyses/${analysisId}`))!.status()).toBe(404);
      const theirs = await stranger.request.get(
        `${at.baseUrl}/analyses/${analysisId}/image/original`,
      );
      expect(theirs.status()).toBe(404);
    }

    // The objects are in the bucket; neither instance wrote a file of its own.
    expect((await store.list()).map((entry) => entry.key)).toContain(row.imageKey);
    expect(writtenLocally(a)).toEqual([]);
    expect(writtenLocally(b)).toEqual([]);
  });

  test("failed logins are counted across both instances: the back-off starts though each saw only half", async () => {
    const user = await makeUser("patient");
    for (const at of [a, b, a, b]) expect(await attemptLogin(at, user.email, "wrong")).toBe(401);
    // Neither instance alone saw BACKOFF_AFTER failures; the count they share did.
    expect(await attemptLogin(a, user.email, user.password)).toBe(429);
    expect(await attemptLogin(b, user.email, user.password)).toBe(429);
    expect(writtenLocally(a)).toEqual([]);
    expect(writtenLocally(b)).toEqual([]);
  });
});
