// Production server: Express serving the Remix build, with the socket's peer in the load context.
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import remixNode from "@remix-run/node";
// Node's request to a fetch Request and a fetch Response back, through the public API of the
// Remix team's package (the Express adapter's handler offers no way to look at the response
// before it is sent, which the page cache needs).
import { createRequest, sendResponse } from "@remix-run/node-fetch-server";
import compression from "compression";
import express from "express";

const { createRequestHandler } = remixNode; // a CommonJS module
const build = await import("./build/server/index.js");
const {
  arrivedOverTls,
  clientIpOf,
  isCrossSiteRequest,
  PageCache,
  pageCacheSeconds,
  STRICT_TRANSPORT_SECURITY,
} = build.entry.module;
const app = express();

app.disable("x-powered-by");
// Express's own proxy handling stays off: which X-Forwarded-* values to believe is decided in
// one place, app/security/proxy.server.ts (TRUST_PROXY, docs/decisions/029), from the socket.
app.set("trust proxy", false);
// Every file of the client build (public/ is copied into it), read once: a page request then
// costs no file-system lookup on its way to Remix.
// Beside this file, not under the working directory: an instance may run from any folder.
const CLIENT = fileURLToPath(new URL("./build/client", import.meta.url));
const clientFiles = new Set(
  fs.readdirSync(CLIENT, { recursive: true }).map((f) => `/${String(f).split(path.sep).join("/")}`),
);
const yearLong = { immutable: true, maxAge: "1y" };

// Fingerprinted assets: cached for a year, sent as the brotli or gzip copy made at build time
// (scripts/precompress.mjs) rather than compressed again on every request.
app.use("/assets", (req, res, next) => {
  const encoding = req.acceptsEncodings("br", "gzip");
  const suffix = encoding === "br" ? ".br" : encoding === "gzip" ? ".gz" : null;
  if (!suffix || !clientFiles.has(`/assets${req.path}${suffix}`)) return next();
  res.vary("Accept-Encoding");
  res.type(path.extname(req.path));
  res.set("Content-Encoding", encoding);
  res.sendFile(`${req.path.slice(1)}${suffix}`, { ...yearLong, root: `${CLIENT}/assets` });
});

// Pages and data: brotli at quality 1 with a 256 KB window. The middleware's default (quality
// 4, 4 MB window) cost ~2 ms of CPU per finder page here, six times gzip's, and each of 32
// concurrent responses held its own multi-megabyte encoder: the server's RSS passed 400 MB
// with a 40 MB heap. Output is ~10 % larger than quality 4. Gzip keeps level 6.
const { BROTLI_PARAM_QUALITY, BROTLI_PARAM_LGWIN } = zlib.constants;
const BROTLI = { params: { [BROTLI_PARAM_QUALITY]: 1, [BROTLI_PARAM_LGWIN]: 18 } };
app.use(compression({ brotli: BROTLI }));
// The request context (app/http/request-context.server.ts) opens here, before Remix, so every
// loader, action, audit row and log line of one request shares its id; the app fills in the
// address and the actor. The store is found through a registered symbol (separate bundles).
const requestContext = (globalThis[Symbol.for("hemalink.request-context")] ??=
  new AsyncLocalStorage());
app.use((req, res, next) => {
  const requestId = crypto.randomUUID();
  const peer = req.socket.remoteAddress;
  res.set("X-Request-Id", requestId);
  if (arrivedOverTls(Boolean(req.socket.encrypted), peer, req.get("x-forwarded-proto"))) {
    res.set("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
  }
  res.on("finish", () => {
    if (res.statusCode >= 500) {
      console.error(`[request ${requestId}] ${req.method} ${req.path} → ${res.statusCode}`);
    }
  });
  const ip = clientIpOf(peer, req.get("x-forwarded-for"));
  requestContext.run({ requestId, ip, actor: null }, next);
});
// Before Remix: its own origin check would answer a forged POST with a 500, not a 403.
app.use((req, res, next) => {
  if (isCrossSiteRequest(req.method, (name) => req.get(name), req.socket.remoteAddress)) {
    res.status(403).type("text/plain").send("Cross-site request refused");
    return;
  }
  next();
});
// Other files of the client build: assets without a compressed copy, and public/ (briefly).
const assets = express.static(`${CLIENT}/assets`, yearLong);
const publicFiles = express.static(CLIENT, { maxAge: "1h" });
app.use("/assets", (req, res, next) =>
  clientFiles.has(`/assets${req.path}`) ? assets(req, res, next) : next(),
);
app.use((req, res, next) => (clientFiles.has(req.path) ? publicFiles(req, res, next) : next()));
// Remix, behind a short-lived cache of anonymous visitors' pages (app/http/page-cache.server.ts,
// docs/decisions/040): a GET without a cookie is answered from it when the same URL was
// rendered less than PAGE_CACHE_SECONDS ago and nothing was written since.
const remix = createRequestHandler(build, process.env.NODE_ENV);
const pages = new PageCache({ ttlMs: pageCacheSeconds(process.env.PAGE_CACHE_SECONDS) * 1000 });
// A reused answer is compressed here in one synchronous call (brotli quality 1, as above, or
// gzip), not through the compression middleware's stream: a stream per answer cost a quarter
// of the main thread's time under load, in its per-chunk round trips and allocations. The
// middleware leaves an answer that already has a Content-Encoding alone.
const COMPRESS_FROM_BYTES = 1024; // the middleware's own threshold
const sendAnswer = (req, res, { status, headers, body }) => {
  res.status(status);
  for (const [name, value] of headers) res.append(name, value);
  const bytes = Buffer.from(body, "utf8");
  // Brotli first when both are accepted, as the middleware prefers it.
  const encoding =
    bytes.length < COMPRESS_FROM_BYTES
      ? null
      : req.acceptsEncodings("br")
        ? "br"
        : req.acceptsEncodings("gzip")
          ? "gzip"
          : null;
  if (encoding) {
    res.vary("Accept-Encoding");
    res.set("Content-Encoding", encoding);
    res.end(encoding === "br" ? zlib.brotliCompressSync(bytes, BROTLI) : zlib.gzipSync(bytes));
  } else {
    res.end(bytes);
  }
};
app.all("*", async (req, res, next) => {
  try {
    const key = pages.keyOf(req.method, req.originalUrl, (name) => req.get(name));
    const cached = key === null ? null : pages.lookup(key);
    if (cached) return sendAnswer(req, res, cached);
    if (pages.isWrite(req.method)) {
      pages.invalidate();
      res.on("close", () => pages.invalidate());
    }
    const mark = pages.mark();
    // The socket's peer; the app reads X-Forwarded-For itself when that peer is a trusted proxy.
    const response = await remix(createRequest(req, res), {
      clientIp: req.socket.remoteAddress,
    });
    const answer = key === null ? null : await pages.store(key, response, mark);
    if (answer) sendAnswer(req, res, answer);
    else await sendResponse(res, response);
  } catch (error) {
    next(error);
  }
});

// Settings that take effect only when Node starts (`npm run serve` sets them): say which are
// missing, since without them an instance passes its memory budget under load (decision 079).
for (const setting of build.entry.module.missingMemorySettings(process.env, process.execArgv)) {
  console.warn(`Memory: start the server with ${setting}; without it RSS grows under load.`);
}

// What a crash left of interrupted uploads goes before the first request (docs/decisions/034).
console.info(`Upload recovery: ${JSON.stringify(await build.entry.module.recoverUploads())}`);

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const server = app.listen(port, host, () => {
  console.info(`HemaLink listening on http://localhost:${port}`);
});
// Auto-close, session and rate-limit purges every HOUSEKEEPING_INTERVAL_SECONDS (unref'd timer).
build.entry.module.startHousekeeping();
// The model lab's training jobs: one at a time in a child process; interrupted ones resume
// (docs/decisions/052).
const labRunner = build.entry.module.startLabRunner();
labRunner.catch((error) => console.error("The lab runner did not start:", error));

// Stop cleanly (containers and process managers send SIGTERM): no new connections, then exit.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    labRunner.then((stop) => stop()).catch(() => {});
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
