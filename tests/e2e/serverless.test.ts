/**
 * The serverless build under Architect's sandbox (docs/decisions/063): `npm run build:arc`'s
 * functions, started by the test through `@architect/sandbox`, offline, every request a new
 * Lambda process as the sandbox runs them. The user story over plain HTTP with cookies against
 * the real pages: register, upload a generated smear, see the analysis, share it with a doctor,
 * the doctor accepts and answers, the patient sees the final answer. Then the static files,
 * the 413 for a body Lambda cannot take, and the built scheduled functions on the same data.
 *
 * The data: DATABASE_URL and IMAGE_STORE (with its S3_* settings) from the environment when
 * set, so pointing the story at Postgres + S3 is configuration; else an embedded SQLite file in a
 * temporary DATA_DIR.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { eq } from "drizzle-orm";
import { CLASS_IDS } from "~/analyses/vocabulary";
import { freePort } from "../../scripts/lib/app-server";
import { assessableSmear } from "../uploads/assessable";

const require = createRequire(import.meta.url);
type Sandbox = {
  start: (options: Record<string, unknown>) => Promise<unknown>;
  end: () => Promise<unknown>;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-sandbox-"));
// A server database (postgres://…) and the image store are taken from the environment, so the
// same story runs on Postgres + S3 by configuration; a SQLite path there (the browser suite's own
// database) is not reused: the sandbox gets its own file.
const serverDatabase = /^postgres(ql)?:\/\//i.test(process.env.DATABASE_URL ?? "");
const imageStore = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => /^(IMAGE_STORE|S3_[A-Z_]+)$/.test(name)),
) as Record<string, string>;
const env: Record<string, string> = {
  DATA_DIR: dir,
  DATABASE_URL: serverDatabase ? process.env.DATABASE_URL! : path.join(dir, "app.db"),
  SESSION_SECRET: crypto.randomBytes(32).toString("base64url"),
  MAIL_TRANSPORT: "none",
  MODELS_DIR: path.join(dir, "models"),
  ...imageStore,
};
let base = "";
let sandbox: Sandbox;

beforeAll(async () => {
  if (!fs.existsSync("build/arc/http/index.mjs")) throw new Error("Run `npm run build:arc` first.");
  fs.cpSync("public/models", env.MODELS_DIR!, { recursive: true });
  const seeded = spawnSync(process.execPath, ["--import", "tsx", "seed/setup.ts"], {
    env: { ...process.env, ...env, NODE_ENV: "production" },
    encoding: "utf8",
  });
  if (seeded.status !== 0) throw new Error(`Seeding failed:\n${seeded.stdout}${seeded.stderr}`);
  // This file's own database calls (fixtures) go to the same data.
  Object.assign(process.env, env);
  const port = await freePort();
  sandbox = require("@architect/sandbox") as Sandbox;
  await sandbox.start({ cwd: process.cwd(), port, quiet: true, env });
  base = `http://localhost:${port}`;
}, 120_000);

afterAll(async () => {
  await sandbox?.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A client with a cookie jar, following no redirects (the test looks at each). */
function client() {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(new URL(url, base), { ...init, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return response;
  };
  return {
    get: (url: string) => send(url),
    post: (url: string, fields: Record<string, string> | FormData) =>
      send(url, {
        method: "POST",
        body: fields instanceof FormData ? fields : new URLSearchParams(fields),
      }),
    setCookie: (cookie: string) => {
      const [pair] = cookie.split(";");
      const at = pair!.indexOf("=");
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    },
  };
}

const pathOf = (response: Response) => new URL(response.headers.get("location")!, base).pathname;
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("the serverless build under Architect's sandbox", () => {
  test("a patient registers, uploads, shares with a doctor, and sees the doctor's final answer", async () => {
    const patient = client();
    expect((await patient.get("/register")).status).toBe(200);
    const email = `sandbox-${Date.now()}@example.test`;
    const registered = await patient.post("/register", {
      name: "Sandra Box",
      email,
      password: "a long sandbox passphrase",
    });
    expect(registered.status).toBe(302);
    expect(pathOf(registered)).toBe("/dashboard");
    expect(text(await (await patient.get("/dashboard")).text())).toContain("Sandra Box");

    const smear = await assessableSmear(40, 448, "jpeg");
    const form = new FormData();
    form.set("smear", new Blob([new Uint8Array(smear.bytes)], { type: "image/jpeg" }), "smear.jpg");
    const uploaded = await patient.post("/analyses/new", form);
    expect(uploaded.status, await uploaded.clone().text()).toBe(302);
    const analysisPath = pathOf(uploaded);
    expect(analysisPath).toMatch(/^\/analyses\/[\w-]{36}$/);
    const analysisId = analysisPath.split("/").pop()!;
    const result = await patient.get(analysisPath);
    expect(result.status).toBe(200);
    expect(text(await result.text())).toContain("Your smear analysis");
    const thumbnail = await patient.get(`${analysisPath}/image/thumbnail`);
    expect([thumbnail.status, thumbnail.headers.get("content-type")]).toEqual([200, "image/jpeg"]);

    // A certified doctor (the fixture the browser stories use), signed in by a session row.
    const { makeCertifiedDoctor } = await import("../helpers");
    const { rename } = await import("./stories");
    const { createUserSession } = await import("~/auth/session.server");
    const { user, profile } = await makeCertifiedDoctor({
      title: "Dr",
      offersTeleconsultation: true,
      clinicName: "Sandbox clinic",
      city: "Paris",
      country: "FR",
    });
    await rename(user.id, "Ada Lambda");
    const doctor = client();
    doctor.setCookie(await createUserSession(user.id));

    const shareForm = `/consultations/new?doctor=${profile.id}&analysis=${analysisId}`;
    expect((await patient.get(shareForm)).status).toBe(200);
    const shared = await patient.post(shareForm, {
      analysisId,
      doctorProfileId: profile.id,
      message: "Our GP saw unusual cells. What test should come next?",
      ageBracket: "child",
      consent: "on",
    });
    expect(shared.status, await shared.clone().text()).toBe(302);
    const casePath = pathOf(shared);
    expect(casePath).toMatch(/^\/consultations\/[\w-]{36}$/);
    const id = casePath.split("/").pop()!;
    expect(text(await (await patient.get(casePath)).text())).toContain("Waiting for the doctor");

    const doctorCase = `/doctor/cases/${id}`;
    expect(text(await (await doctor.get(doctorCase)).text())).toContain(
      "Our GP saw unusual cells.",
    );
    const accepted = await doctor.post(doctorCase, { intent: "accept" });
    expect(accepted.status).toBeLessThan(400);
    const { getDb } = await import("#db/client");
    const { analyses } = await import("#db/schema");
    const [row] = await getDb()
      .select({ topClass: analyses.topClass })
      .from(analyses)
      .where(eq(analyses.id, analysisId))
      .limit(1);
    const doctorClass = CLASS_IDS.find((c) => c !== row!.topClass)!;
    const answered = await doctor.post(doctorCase, {
      intent: "answer",
      doctorClass,
      morphology: "Medium-sized blasts, scant cytoplasm, fine chromatin.",
      recommendations: "Flow cytometry this week.",
      urgency: "urgent",
    });
    expect(answered.status, await answered.clone().text()).toBeLessThan(400);

    const final = text(await (await patient.get(casePath)).text());
    expect(final).toContain("Final — reviewed by Dr Ada Lambda");
    expect(final).toContain("Flow cytometry this week.");
  });

  test("static files come from Architect's static folder; a body Lambda cannot take is a clear 413", async () => {
    const favicon = await fetch(`${base}/favicon.svg`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toContain("image/svg+xml");
    expect(await favicon.text()).toBe(fs.readFileSync("build/client/favicon.svg", "utf8"));

    const big = new FormData();
    big.set(
      "smear",
      new Blob([new Uint8Array(5 * 1024 * 1024)], { type: "image/jpeg" }),
      "big.jpg",
    );
    const refused = await fetch(`${base}/api/analyses`, { method: "POST", body: big });
    expect(refused.status).toBe(413);
    const { FILE_TOO_LARGE_SERVERLESS } = await import("~/uploads/limits");
    expect(await refused.json()).toEqual({
      status: "error",
      error: { smear: [FILE_TOO_LARGE_SERVERLESS] },
    });
  });

  test("the built scheduled functions run their job on the same data", async () => {
    const { createUserSession } = await import("~/auth/session.server");
    const { makeUser } = await import("../helpers");
    const { getDb } = await import("#db/client");
    const { sessions } = await import("#db/schema");
    const user = await makeUser("patient");
    await createUserSession(user.id, new Date(Date.now() - 48 * 3600_000));
    const invoke = (job: string) =>
      spawnSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `const { handler } = await import(${JSON.stringify(path.resolve(`build/arc/scheduled/${job}/index.mjs`))});
           process.stdout.write(JSON.stringify(await handler({ time: new Date().toISOString() })));`,
        ],
        { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" },
      );
    const purged = invoke("session-purge");
    expect(purged.status, purged.stderr).toBe(0);
    const report = JSON.parse(purged.stdout.trim().split("\n").pop()!) as { sessions: number };
    expect(report.sessions).toBeGreaterThanOrEqual(1);
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    for (const job of ["consultation-auto-close", "rate-limit-purge", "orphan-sweep"]) {
      const run = invoke(job);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain(`"job":"${job}"`);
    }
  });
});
