// One fresh Lambda instance of the HTTP function (a new process, `npm run bench:coldstart`):
// load the handler (Lambda's init phase), answer a first request, then a first analysis;
// prints one JSON line of milliseconds since the process started and of RSS.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { httpEvent, uploadEvent } from "./lambda-event.mjs";

const started = performance.timeOrigin;
const since = () => Math.round(Date.now() - started);
const rssMb = () => Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
const [cookie, smearFile] = [process.env.PROBE_COOKIE ?? "", process.env.PROBE_SMEAR ?? ""];

const { handler } = await import(pathToFileURL(path.resolve("build/arc/http/index.mjs")).href);
const initMs = since();
const first = await handler(httpEvent("GET", "/healthz"), {});
const firstRequestMs = since();
// The parent times these lines from the moment it spawned this process.
console.info(JSON.stringify({ mark: "first-request" }));
if (first.statusCode !== 200) throw new Error(`/healthz answered ${first.statusCode}`);
await new Promise((r) => setTimeout(r, 500));
const idleRssMb = rssMb();
const event = await uploadEvent(fs.readFileSync(smearFile), cookie);
const beforeUpload = since();
const upload = await handler(event, {});
const analysisMs = since() - beforeUpload;
console.info(JSON.stringify({ mark: "first-analysis" }));
if (upload.statusCode !== 201) {
  throw new Error(`the upload answered ${upload.statusCode}: ${upload.body?.slice(0, 300)}`);
}
const afterUploadRssMb = rssMb();
console.info(
  JSON.stringify({
    init_ms: initMs,
    first_request_ms: firstRequestMs,
    // As if the upload had come right after the first request (the pause taken out).
    first_analysis_ms: firstRequestMs + analysisMs,
    analysis_ms: analysisMs,
    rss_idle_mb: idleRssMb,
    rss_after_upload_mb: afterUploadRssMb,
  }),
);
