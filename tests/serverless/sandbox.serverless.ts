/**
 * The serverless build under Architect's sandbox (docs/decisions/063, 071): the functions of
 * `npm run build:arc`, started by this file through `@architect/sandbox`, offline, each
 * invocation a new Lambda process as the sandbox runs them. The user story over plain HTTP with
 * cookies against the real pages: register, upload a generated smear, see the analysis, share
 * it with a verified doctor, who accepts and answers, and the patient sees the final answer;
 * another patient is answered 404 for both. Then the static files, the 413 for a body Lambda
 * cannot take, and the built scheduled functions, invoked by the sandbox, on the same data.
 *
 * The data: an embedded SQLite file in a temporary DATA_DIR, shared by the functions and this
 * file's fixtures. The last step of `npm test`, after the browser tests' production build, or
 * `npm run test:serverless` (which builds first); it bundles the functions itself
 * (scripts/build-arc.mjs). SANDBOX_LOG_LEVEL=debug shows every invocation as the sandbox sees it.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { CLASS_IDS } from "~/analyses/vocabulary";
import { FILE_TOO_LARGE_SERVERLESS, SERVERLESS_MAX_BODY_BYTES } from "~/uploads/limits";
import { freePort } from "../../scripts/lib/app-server";

/** Modules as the sandbox itself loads them. */
const sandboxRequire = createRequire(createRequire(import.meta.url).resolve("@architect/sandbox"));
type Params = Record<string, unknown>;
type Sandbox = { start: (params: Params) => Promise<unknown>; end: () => Promise<unknown> };
type Invoke = (
  params: Params,
  options: { pragma: string; name: string; payload: unknown },
) => Promise<unknown>;
type Lambda = { config: { timeout: number } };
type Inventory = { inv: { http: Lambda[]; scheduled: Lambda[] } };

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-sandbox-"));
/** What the functions get (the sandbox passes `env` to every invocation) and this file uses. */
const env: Record<string, string> = {
  DATA_DIR: dir,
  DATABASE_URL: path.join(dir, "app.db"),
  SESSION_SECRET: crypto.randomBytes(32).toString("base64url"),
  MAIL_TRANSPORT: "none",
  MODELS_DIR: path.join(dir, "models"),
};
/**
 * What the sandbox gives the functions: `env`, and a module loaded into each Lambda process that
 * opens a new connection for each request to the sandbox's runtime API (runtime-api-agent.mjs:
 * else a function busy for over 5 s loses its result and the sandbox answers 200 `null`).
 */
const functionEnv = {
  ...env,
  NODE_OPTIONS: `--import=${new URL("runtime-api-agent.mjs", import.meta.url).href}`,
};
// A loaded machine makes every cold start slow: an invocation gets this long in the sandbox
// (app.arc's 30 s stays the deployed limit); each request's time is kept for the report.
const INVOCATION_TIMEOUT_S = 120;
let base = "";
let sandbox: Sandbox;
/** The options the sandbox was started with; it keeps its ports and credentials in them. */
const params: Params = {};
const timings: string[] = [];

beforeAll(async () => {
  const built = spawnSync(process.execPath, ["scripts/build-arc.mjs"], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(`build:arc failed:\n${built.stdout}${built.stderr}`);
  fs.cpSync("public/models", env.MODELS_DIR!, { recursive: true });
  // This file's own database calls (fixtures, checks) go to the same data; the browser suite's
  // variables are replaced. AWS credentials from the environment: the sandbox does not look
  // for any elsewhere (it would try the instance metadata service).
  Object.assign(process.env, env, {
    NODE_ENV: "production",
    AWS_ACCESS_KEY_ID: "sandbox",
    AWS_SECRET_ACCESS_KEY: "sandbox",
    AWS_REGION: "us-east-1",
  });
  const port = await freePort();
  // The sandbox's own inventory of app.arc (its dependency), given back to it with the timeout.
  const inventory = sandboxRequire("@architect/inventory") as (o: {
    cwd: string;
  }) => Promise<Inventory>;
  const inv = await inventory({ cwd: process.cwd() });
  for (const lambda of [...inv.inv.http, ...inv.inv.scheduled]) {
    lambda.config.timeout = INVOCATION_TIMEOUT_S;
  }
  sandbox = sandboxRequire("./index.js") as Sandbox;
  // SANDBOX_LOG_LEVEL=debug: the sandbox logs every invocation (event, runtime API requests,
  // the process's exit code and signal, the result it recorded).
  const logLevel = process.env.SANDBOX_LOG_LEVEL;
  Object.assign(params, {
    cwd: process.cwd(),
    port,
    quiet: !logLevel,
    logLevel,
    env: functionEnv,
    inventory: inv,
  });
  await sandbox.start(params);
  base = `http://localhost:${port}`;
}, 180_000);

afterAll(async () => {
  await sandbox?.end();
  fs.rmSync(dir, { recursive: true, force: true });
  if (timings.length) console.info(`Sandbox invocations:\n${timings.join("\n")}`);
});

/** A client with a cookie jar, following no redirects (the test looks at each). */
function client() {
  const jar = new Map<string, string>();
  const keep = (cookie: string) => {
    const [pair] = cookie.split(";");
    const at = pair!.indexOf("=");
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  };
  const send = async (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const started = Date.now();
    const response = await fetch(new URL(url, base), { ...init, headers, redirect: "manual" });
    timings.push(
      `${init.method ?? "GET"} ${url} → ${response.status} in ${Date.now() - started} ms`,
    );
    for (const cookie of response.headers.getSetCookie()) keep(cookie);
    return response;
  };
  return {
    get: (url: string) => send(url),
    post: (url: string, fields: Record<string, string> | FormData) =>
      send(url, {
        method: "POST",
        body: fields instanceof FormData ? fields : new URLSearchParams(fields),
      }),
    keep,
  };
}

const pathOf = (response: Response) => new URL(response.headers.get("location")!, base).pathname;
const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
/** The response's status, or its status and text when it is not `status` (the page says why). */
const statusOf = async (response: Response, status: number) =>
  response.status === status
    ? status
    : `${response.status}: ${text(await response.clone().text()).slice(0, 2000)}`;

describe("the serverless build under Architect's sandbox", () => {
  test("a patient registers, uploads, shares with a doctor, and sees the doctor's final answer", async () => {
    const patient = client();
    const registered = await patient.post("/register", {
      name: "Sandra Box",
      email: `sandbox-${Date.now()}@example.test`,
      password: "a long sandbox passphrase",
    });
    expect(await statusOf(registered, 302)).toBe(302);
    expect(pathOf(registered)).toBe("/dashboard");
    expect(text(await (await patient.get("/dashboard")).text())).toContain("Sandra Box");

    const { assessableSmear } = await import("../uploads/assessable");
    const smear = await assessableSmear(40, 448, "jpeg");
    const form = new FormData();
    form.set("smear", new Blob([new Uint8Array(smear.bytes)], { type: "image/jpeg" }), "smear.jpg");
    const uploaded = await patient.post("/analyses/new", form);
    expect(await statusOf(uploaded, 302)).toBe(302);
    const analysisPath = pathOf(uploaded);
    expect(analysisPath).toMatch(/^\/analyses\/[\w-]{36}$/);
    const analysisId = analysisPath.split("/").pop()!;
    // Requests that do not depend on each other go out together: each is a cold start.
    const [result, thumbnail] = await Promise.all([
      patient.get(analysisPath),
      patient.get(`${analysisPath}/image/thumbnail`),
    ]);
    expect(result.status).toBe(200);
    expect(text(await result.text())).toContain("Your smear analysis");
    expect([thumbnail.status, thumbnail.headers.get("content-type")]).toEqual([200, "image/jpeg"]);

    // A verified doctor and a second patient, made in the data and signed in by session rows.
    const { makeCertifiedDoctor, makeUser } = await import("../helpers");
    const { rename } = await import("../e2e/stories");
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
    doctor.keep(await createUserSession(user.id));
    const other = client();
    other.keep(await createUserSession((await makeUser("patient")).id));

    const shareForm = `/consultations/new?doctor=${profile.id}&analysis=${analysisId}`;
    const shared = await patient.post(shareForm, {
      analysisId,
      doctorProfileId: profile.id,
      message: "Our GP saw unusual cells. What test should come next?",
      ageBracket: "child",
      consent: "on",
    });
    expect(await statusOf(shared, 302)).toBe(302);
    const casePath = pathOf(shared);
    expect(casePath).toMatch(/^\/consultations\/[\w-]{36}$/);
    const id = casePath.split("/").pop()!;

    const doctorCase = `/doctor/cases/${id}`;
    expect(text(await (await doctor.get(doctorCase)).text())).toContain(
      "Our GP saw unusual cells.",
    );
    const accepted = await doctor.post(doctorCase, { intent: "accept" });
    expect(await statusOf(accepted, 302)).toBe(302);
    const { getDb } = await import("#db/client");
    const { analyses } = await import("#db/schema");
    const [row] = await getDb()
      .select({ topClass: analyses.topClass })
      .from(analyses)
      .where(eq(analyses.id, analysisId))
      .limit(1);
    const doctorClass = CLASS_IDS.find((c) => c !== row!.topClass)!;
    const answer = await doctor.post(doctorCase, {
      intent: "answer",
      doctorClass,
      morphology: "Medium-sized blasts, scant cytoplasm, fine chromatin.",
      recommendations: "Flow cytometry this week.",
      urgency: "urgent",
    });
    expect(await statusOf(answer, 302)).toBe(302);

    const final = text(await (await patient.get(casePath)).text());
    expect(final).toContain("Final — reviewed by Dr Ada Lambda");
    expect(final).toContain("Flow cytometry this week.");

    // Another patient may see neither: both are answered as if they did not exist.
    const refused = await Promise.all([other.get(analysisPath), other.get(casePath)]);
    expect(refused.map((r) => r.status)).toEqual([404, 404]);
  }, 600_000);

  test("static files come from Architect's static folder; a body Lambda cannot take is a clear 413", async () => {
    const asset = fs.readdirSync("build/client/assets").find((f) => /^root-.*\.js$/.test(f))!;
    // Over the function's limit, yet under the 6 MB event (base64: 4/3 larger) the sandbox,
    // like Lambda, takes at all: the function's own answer, not the host's.
    const size = SERVERLESS_MAX_BODY_BYTES + 64 * 1024;
    expect(Math.ceil(size / 3) * 4).toBeLessThan(6_000_000);
    const big = new FormData();
    big.set("smear", new Blob([new Uint8Array(size)], { type: "image/jpeg" }), "big.jpg");
    // Three cold starts, sent together.
    const [favicon, script, refused] = await Promise.all([
      fetch(`${base}/favicon.svg`),
      fetch(`${base}/assets/${asset}`),
      fetch(`${base}/api/analyses`, { method: "POST", body: big }),
    ]);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toContain("image/svg+xml");
    expect(await favicon.text()).toBe(fs.readFileSync("build/client/favicon.svg", "utf8"));
    expect(script.status).toBe(200);
    expect(await script.text()).toBe(fs.readFileSync(`build/client/assets/${asset}`, "utf8"));
    expect(refused.status, await refused.clone().text()).toBe(413);
    expect(await refused.json()).toEqual({
      status: "error",
      error: { smear: [FILE_TOO_LARGE_SERVERLESS] },
    });
  }, 300_000);

  test("the built scheduled functions, invoked by the sandbox, run their job on the same data", async () => {
    // How the sandbox invokes a function for its plugins: a new Lambda process with its env.
    const invoke = sandboxRequire("./invoke-lambda/_plugin.js") as Invoke;
    const { createUserSession } = await import("~/auth/session.server");
    const { makeUser } = await import("../helpers");
    const { getDb } = await import("#db/client");
    const { sessions } = await import("#db/schema");
    const user = await makeUser("patient");
    // A session that expired long ago, and one that is live.
    await createUserSession(user.id, new Date(Date.now() - 60 * 24 * 3600_000));
    await createUserSession(user.id);
    const before = await getDb().select().from(sessions).where(eq(sessions.userId, user.id));
    expect(before).toHaveLength(2);

    const run = async (name: string) => {
      const started = Date.now();
      const report = (await invoke(params, {
        pragma: "scheduled",
        name,
        payload: { time: new Date().toISOString(), "detail-type": "Scheduled Event" },
      })) as { job: string } & Record<string, number>;
      timings.push(`@scheduled ${name} → ${JSON.stringify(report)} in ${Date.now() - started} ms`);
      return report;
    };
    const purged = await run("session-purge");
    expect(purged.job).toBe("session-purge");
    expect(purged.sessions).toBeGreaterThanOrEqual(1);
    const after = await getDb().select().from(sessions).where(eq(sessions.userId, user.id));
    expect(after.map((s) => s.id)).toEqual(
      before.filter((s) => s.expiresAt.getTime() > Date.now()).map((s) => s.id),
    );
    expect(after).toHaveLength(1);
    const others = ["consultation-auto-close", "rate-limit-purge", "orphan-sweep"];
    expect((await Promise.all(others.map(run))).map((report) => report.job)).toEqual(others);
  }, 300_000);
});
