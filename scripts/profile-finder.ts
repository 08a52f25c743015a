// npx tsx scripts/profile-finder.ts [--runs 1] [--trace DIR]
// The finder's first visit on the phone profile of `npm run bench:pages` (4× CPU slowdown,
// DevTools' Fast 3G), against the production build in the current folder: every request's
// start, first byte and end, and the main thread's tasks over 50 ms with what took their time
// (script evaluation, compilation, layout, paint…), from a Chromium performance trace.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { launchBrowser } from "../tests/e2e/browser";
import { startAppServer } from "./lib/app-server";
import { printLoadAverage } from "./lib/load";
import { phoneProfile, visitFinder } from "./lib/phone";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "1" }, trace: { type: "string" } },
});
const finder = "/doctors?lat=48.8566&lng=2.3522";

type TraceEvent = {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
};

/** The renderer's main thread's long tasks, each with the events that took most of it. */
function longTasks(events: TraceEvent[], main: TraceEvent) {
  const origin = main.ts;
  const onMain = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === "X");
  const tasks = onMain.filter((e) => e.name === "RunTask" && (e.dur ?? 0) > 50_000);
  return tasks.map((task) => {
    const end = task.ts + task.dur!;
    const inside = onMain.filter(
      (e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= end && (e.dur ?? 0) > 5_000,
    );
    const label = (e: TraceEvent) => {
      const data = (e.args?.data ?? {}) as Record<string, unknown>;
      const url = typeof data.url === "string" ? data.url.replace(/^.*\/(assets\/)?/, "") : "";
      const fn = typeof data.functionName === "string" ? data.functionName : "";
      return [e.name, url, fn].filter(Boolean).join(" ");
    };
    const parts = inside
      .filter((e) =>
        /EvaluateScript|v8\.compile|v8\.compileModule|v8\.evaluateModule|FunctionCall|TimerFire|FireAnimationFrame|ParseHTML|Layout|UpdateLayoutTree|Paint|EventDispatch|V8\.GC|MinorGC|MajorGC|v8\.parseOnBackground|ParseAuthorStyleSheet|Decode/.test(
          e.name,
        ),
      )
      .sort((a, b) => b.dur! - a.dur!)
      .slice(0, 6)
      .map((e) => `${label(e)} ${Math.round(e.dur! / 1000)}`);
    return {
      start_ms: Math.round((task.ts - origin) / 1000),
      ms: Math.round(task.dur! / 1000),
      parts,
    };
  });
}

const server = await startAppServer();
const browser = await launchBrowser();
try {
  printLoadAverage();
  for (let run = 0; run < Number(values.runs); run++) {
    const { context, page, cdp } = await phoneProfile(browser, server.baseUrl);
    await browser.startTracing(page, {
      categories: [
        "devtools.timeline",
        "disabled-by-default-devtools.timeline",
        "v8.execute",
        "v8",
        "blink.user_timing",
        "loading",
        "toplevel",
      ],
    });
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
    await cdp.send("Profiler.start");
    const { hydrated, mapShown } = await visitFinder(page, finder);
    await page.waitForTimeout(4000);
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      return {
        timeOrigin: performance.timeOrigin,
        html: {
          responseStart: nav.responseStart,
          responseEnd: nav.responseEnd,
          bytes: nav.encodedBodySize,
          raw: nav.decodedBodySize,
          dcl: nav.domContentLoadedEventEnd,
        },
        resources: resources.map((r) => ({
          url: r.name.replace(/^https?:\/\/[^/]+/, ""),
          type: r.initiatorType,
          start: Math.round(r.startTime),
          firstByte: Math.round(r.responseStart),
          end: Math.round(r.responseEnd),
          bytes: r.encodedBodySize,
        })),
      };
    });
    const { profile } = await cdp.send("Profiler.stop");
    const buffer = await browser.stopTracing();
    const trace = JSON.parse(buffer.toString()) as { traceEvents: TraceEvent[] };
    if (values.trace) {
      fs.mkdirSync(values.trace, { recursive: true });
      fs.writeFileSync(path.join(values.trace, `finder-phone-${run + 1}.json`), buffer);
      fs.writeFileSync(
        path.join(values.trace, `finder-phone-${run + 1}.cpuprofile`),
        JSON.stringify(profile),
      );
    }
    // The page's renderer and clock: its navigationStart (performance.now()'s zero).
    const nav = trace.traceEvents.find(
      (e) =>
        e.name === "navigationStart" &&
        String((e.args?.data as { documentLoaderURL?: string })?.documentLoaderURL).includes(
          "/doctors",
        ),
    );
    console.log(
      `run ${run + 1}: HTML first byte ${Math.round(timing.html.responseStart)} ms, end ${Math.round(timing.html.responseEnd)} ms (${timing.html.bytes} B sent, ${timing.html.raw} B raw), DCL ${Math.round(timing.html.dcl)} ms, hydrated ${Math.round(hydrated)} ms, map ${Math.round(mapShown)} ms`,
    );
    for (const r of timing.resources)
      console.log(
        `  ${String(r.start).padStart(5)} → ${String(r.firstByte).padStart(5)} → ${String(r.end).padStart(5)} ms  ${String(r.bytes).padStart(7)} B  ${r.type.padEnd(8)} ${r.url.slice(0, 90)}`,
      );
    for (const t of nav ? longTasks(trace.traceEvents, nav) : [])
      console.log(`  task at ${t.start_ms} ms, ${t.ms} ms: ${t.parts.join("; ")}`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.stop();
  fs.rmSync(server.dir, { recursive: true, force: true });
}
