// npm run bench:pages [-- --phone-runs 3] [--phone-only] [--app DIR] [--against DIR]
// JavaScript per page as the browser receives it (cold cache): the bytes on the wire (the
// server picks brotli or gzip from Accept-Encoding) and the same bodies gzipped at level 6 (what
// the budgets count: what the compression middleware sends a gzip-only client),
// against the production build with the demo data, plus the finder's first visit on a phone
// profile (4× CPU slowdown, DevTools' "Fast 3G"). Fails when a page passes its budget.
// `--phone-only` measures the finder's phone visits alone; `--app DIR` runs the build of another
// checkout (built there first) with this script, so two builds are measured the same way;
// `--against DIR` also starts that checkout's build and alternates the phone visits between the
// two, visit by visit, so a shared machine's changing load falls on both alike.
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { DEMO_ACCOUNTS } from "../seed/demo";
import { currentCode } from "../app/auth/second-factor.server";
import { launchBrowser } from "../tests/e2e/browser";
import { startAppServer } from "./lib/app-server";
import { printLoadAverage } from "./lib/load";
import { phoneProfile, visitFinder } from "./lib/phone";
import { smearLikeJpeg } from "./lib/smear";

const { values } = parseArgs({
  options: {
    "phone-runs": { type: "string", default: "3" },
    "phone-only": { type: "boolean", default: false },
    app: { type: "string" },
    against: { type: "string" },
  },
});
const phoneRuns = Number(values["phone-runs"]);
// The server, its build and its seed are the current folder's.
if (values.app) process.chdir(values.app);
const BUDGET_KB = 150;
const ANALYSER_BUDGET_KB = 200;
const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

const server = await startAppServer({ RATE_LIMIT_LOGIN_FAILURES_PER_IP: "1000" });
const base = server.baseUrl;
/** The build compared with, in its own folder (its server.js, build and seed). */
async function otherServer(dir: string) {
  const here = process.cwd();
  process.chdir(dir);
  try {
    return await startAppServer({});
  } finally {
    process.chdir(here);
  }
}
const other = values.against ? await otherServer(values.against) : null;

const post = (path: string, fields: Record<string, string>, cookie = "") =>
  fetch(`${base}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: base, "Content-Type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams(fields),
  });

/** The session cookie; accounts with two-step login (`totpSecret`) also send their code. */
async function logIn(email: string, password: string, totpSecret?: string): Promise<string> {
  let response = await post("/login", { email, password });
  if (totpSecret && response.headers.get("location") === "/login/code") {
    const challenge = response.headers.get("set-cookie")?.split(";")[0] ?? "";
    response = await post("/login/code", { code: await currentCode(totpSecret) }, challenge);
  }
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith("__hemalink_session="))
    ?.split(";")[0];
  if (!cookie) throw new Error(`Login of ${email} failed: HTTP ${response.status}`);
  return cookie;
}

type Weight = {
  scripts: number;
  gzipBytes: number;
  wireBytes: number;
  rawBytes: number;
  files: string[];
};

/** Every script response of the page (cold cache) until the network is idle. */
async function scriptWeight(page: Page, visit: () => Promise<unknown>): Promise<Weight> {
  const pending: Array<Promise<{ url: string; wire: number; gzip: number; raw: number }>> = [];
  page.on("response", (response) => {
    if (response.request().resourceType() !== "script") return;
    pending.push(
      (async () => {
        const [sizes, body] = await Promise.all([response.request().sizes(), response.body()]);
        return {
          url: new URL(response.url()).pathname,
          wire: sizes.responseBodySize,
          gzip: zlib.gzipSync(body, { level: 6 }).length,
          raw: body.length,
        };
      })(),
    );
  });
  await visit();
  await page.waitForLoadState("networkidle");
  const all = await Promise.all(pending);
  return {
    scripts: all.length,
    gzipBytes: all.reduce((n, s) => n + s.gzip, 0),
    wireBytes: all.reduce((n, s) => n + s.wire, 0),
    rawBytes: all.reduce((n, s) => n + s.raw, 0),
    files: all.map((s) => `${s.url.replace(/^\/assets\//, "")} ${kb(s.gzip)}`),
  };
}

async function newPage(browser: Browser, cookie?: string) {
  const context = await browser.newContext({ baseURL: base });
  if (cookie) {
    const [name, ...value] = cookie.split("=");
    await context.addCookies([{ name: name!, value: value.join("="), url: base }]);
  }
  return { context, page: await context.newPage() };
}

const browser = await launchBrowser();
try {
  printLoadAverage();
  console.log(`Build: ${process.cwd()}/build`);
  const finder = "/doctors?lat=48.8566&lng=2.3522";
  const results: Array<Record<string, unknown>> = [];
  const failures: string[] = [];
  // Every page's JavaScript, unless only the phone visits are asked for.
  if (!values["phone-only"]) {
    const patient = await logIn(DEMO_ACCOUNTS.patient.email, DEMO_ACCOUNTS.patient.password);
    const { doctor: d, admin: a } = DEMO_ACCOUNTS;
    const doctor = await logIn(d.email, d.password, d.totpSecret);
    const admin = await logIn(a.email, a.password, a.totpSecret);
    const finderHtml = await (await fetch(`${base}${finder}`)).text();
    const doctorPage = /href="(\/doctors\/[0-9a-f-]{36})"/.exec(finderHtml)?.[1];
    if (!doctorPage) throw new Error("No doctor listed on the finder");
    // One analysis of the patient's, for the result page.
    const form = new FormData();
    form.set(
      "smear",
      new Blob([new Uint8Array(await smearLikeJpeg())], { type: "image/jpeg" }),
      "s.jpg",
    );
    const uploaded = await fetch(`${base}/api/analyses`, {
      method: "POST",
      headers: { Cookie: patient, Origin: base },
      body: form,
    });
    const analysisPage = ((await uploaded.json()) as { links?: { page: string } }).links?.page;
    if (!analysisPage) throw new Error(`Upload failed: HTTP ${uploaded.status}`);

    const pages: Array<{ path: string; who?: string; map?: boolean }> = [
      { path: "/" },
      { path: finder, map: true },
      { path: "/doctors" },
      { path: doctorPage, map: true },
      { path: "/login" },
      { path: "/register" },
      { path: "/about/model" },
      { path: "/dashboard", who: patient },
      { path: "/analyses", who: patient },
      { path: "/analyses/new", who: patient },
      { path: analysisPage, who: patient },
      { path: "/consultations", who: patient },
      { path: "/notifications", who: patient },
      { path: "/doctor", who: doctor },
      { path: "/doctor/profile", who: doctor, map: true },
      { path: "/doctor/cases", who: doctor },
      { path: "/admin", who: admin },
      { path: "/admin/doctors", who: admin },
      { path: "/admin/reviews", who: admin },
      { path: "/admin/consultations", who: admin },
    ];
    const who = (cookie?: string) =>
      cookie === patient
        ? "patient"
        : cookie === doctor
          ? "doctor"
          : cookie === admin
            ? "admin"
            : "visitor";
    for (const { path, who: cookie, map } of pages) {
      const { context, page } = await newPage(browser, cookie);
      const weight = await scriptWeight(page, async () => {
        const response = await page.goto(path);
        if (!response?.ok()) throw new Error(`${path}: HTTP ${response?.status()}`);
        if (map) await page.locator(".leaflet-container").waitFor();
      });
      const mapChunk = weight.files.some((f) => f.startsWith("map.client"));
      const budget = path === "/analyses/new" ? ANALYSER_BUDGET_KB : BUDGET_KB;
      const row = {
        path,
        as: who(cookie),
        js_gzip_kb: kb(weight.gzipBytes),
        js_wire_kb: kb(weight.wireBytes),
        js_raw_kb: kb(weight.rawBytes),
        scripts: weight.scripts,
        map_chunk: mapChunk,
        budget_kb: budget,
      };
      results.push(row);
      console.log(
        `${path.replace(/[0-9a-f-]{36}/, ":id").padEnd(34)} ${row.as.padEnd(8)} ${String(row.js_gzip_kb).padStart(6)} KB gzip, ${row.js_wire_kb} KB sent (${row.js_raw_kb} KB raw, ${row.scripts} scripts)${mapChunk ? " map" : ""}`,
      );
      if (row.js_gzip_kb > budget) failures.push(`${path}: ${row.js_gzip_kb} KB > ${budget} KB`);
      if (mapChunk !== Boolean(map))
        failures.push(`${path}: map chunk ${mapChunk ? "loaded without a map" : "missing"}`);

      if (path === "/analyses/new") {
        // Choosing private mode fetches TensorFlow.js and the model, with progress.
        await page.setInputFiles('input[type="file"]', {
          name: "smear.jpg",
          mimeType: "image/jpeg",
          buffer: await smearLikeJpeg(),
        });
        const extra = await scriptWeight(page, async () => {
          await page.getByRole("button", { name: /Analyse on this device/ }).click();
          await page.locator(".private-result").waitFor({ timeout: 60_000 });
        });
        const privateRow = {
          path: "/analyses/new (private mode chosen)",
          as: "patient",
          js_gzip_kb: kb(weight.gzipBytes + extra.gzipBytes),
          extra_js_gzip_kb: kb(extra.gzipBytes),
        };
        results.push(privateRow);
        console.log(
          `  + private mode chosen: ${privateRow.extra_js_gzip_kb} KB more (${extra.files.join(", ")})`,
        );
      }
      await context.close();
    }
  }

  // The finder's first visit on a phone: 4× slower CPU, DevTools' Fast 3G (1.44 Mbit/s × 0.9
  // down, 675 kbit/s × 0.9 up, 562.5 ms latency). Interactive = hydrated (React's handlers on
  // the search form) and the map shown, and no long task in the last 500 ms.
  const phone: Array<Record<string, number | string>> = [];
  // With --against, each run visits both builds, in turns first.
  const builds = (run: number) =>
    other
      ? run % 2 === 0
        ? [["this", base] as const, ["against", other.baseUrl] as const]
        : [["against", other.baseUrl] as const, ["this", base] as const]
      : [["this", base] as const];
  for (let run = 0; run < phoneRuns; run++)
    for (const [build, url] of builds(run)) {
      const { context, page } = await phoneProfile(browser, url);
      await page.addInitScript(() => {
        const w = window as unknown as { __longTaskEnd: number };
        w.__longTaskEnd = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries())
            w.__longTaskEnd = Math.max(w.__longTaskEnd, e.startTime + e.duration);
        }).observe({ type: "longtask", buffered: true });
      });
      const { hydrated, mapShown } = await visitFinder(page, finder);
      // The country outlines drawn (Leaflet's SVG paths), which "interactive" does not wait for.
      await page.locator(".leaflet-overlay-pane path").first().waitFor({ timeout: 60_000 });
      const outlinesDrawn = await page.evaluate(() => performance.now());
      // Wait for a quiet main thread (no long task for 500 ms), at most 20 s.
      await page.waitForFunction(
        () =>
          performance.now() - (window as unknown as { __longTaskEnd: number }).__longTaskEnd > 500,
        undefined,
        { polling: 100, timeout: 20_000 },
      );
      const t = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        return {
          longTaskEnd: (window as unknown as { __longTaskEnd: number }).__longTaskEnd,
          domContentLoaded: nav.domContentLoadedEventEnd,
          firstPaint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
          load: nav.loadEventEnd,
        };
      });
      const interactive = Math.max(hydrated, mapShown, t.longTaskEnd);
      const row = {
        run: run + 1,
        build,
        dcl_ms: Math.round(t.domContentLoaded),
        fcp_ms: Math.round(t.firstPaint),
        hydrated_ms: Math.round(hydrated),
        map_ms: Math.round(mapShown),
        outlines_ms: Math.round(outlinesDrawn),
        interactive_ms: Math.round(interactive),
      };
      phone.push(row);
      console.log(
        `phone finder run ${row.run}${other ? ` (${build})` : ""}: DOMContentLoaded ${row.dcl_ms} ms, first paint ${row.fcp_ms} ms, hydrated ${row.hydrated_ms} ms, map ${row.map_ms} ms, outlines ${row.outlines_ms} ms, interactive ${row.interactive_ms} ms`,
      );
      await context.close();
    }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const medianOf = (
    build: string,
    key: "fcp_ms" | "hydrated_ms" | "interactive_ms" | "outlines_ms",
  ) => median(phone.filter((r) => r.build === build).map((r) => r[key] as number));
  const phoneMedian = medianOf("this", "interactive_ms");
  console.log(
    `phone finder interactive, median of ${phoneRuns}: ${phoneMedian} ms (target ≤ 3000)`,
  );
  if (other) {
    for (const key of ["fcp_ms", "hydrated_ms", "interactive_ms", "outlines_ms"] as const) {
      const [mine, theirs] = [medianOf("this", key), medianOf("against", key)];
      console.log(
        `median ${key}: ${mine} ms here, ${theirs} ms against ${values.against}: ratio ${(mine / theirs).toFixed(2)}`,
      );
    }
  }
  console.log(
    JSON.stringify({
      pages: results,
      phone,
      phone_interactive_median_ms: phoneMedian,
      load_average: os.loadavg().map((n) => Number(n.toFixed(2))),
    }),
  );
  if (failures.length > 0) {
    console.error(`FAILED: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  for (const s of [server, other]) {
    if (!s) continue;
    await s.stop();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
}
