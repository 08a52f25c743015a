// Production server: Express serving the Remix build, with the socket's peer in the load context.
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import { createRequestHandler } from "@remix-run/express";
import compression from "compression";
import express from "express";

const build = await import("./build/server/index.js");
const { arrivedOverTls, clientIpOf, isCrossSiteRequest, STRICT_TRANSPORT_SECURITY } =
  build.entry.module;
const app = express();

app.disable("x-powered-by");
// Express's own proxy handling stays off: which X-Forwarded-* values to believe is decided in
// one place, app/security/proxy.server.ts (TRUST_PROXY, docs/decisions/029), from the socket.
app.set("trust proxy", false);
app.use(compression());
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
// Fingerprinted assets can be cached forever; everything else (public/, copied into the
// client build) briefly.
app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
app.use(express.static("build/client", { maxAge: "1h" }));
app.all(
  "*",
  createRequestHandler({
    build,
    // The socket's peer; the app reads X-Forwarded-For itself when that peer is a trusted proxy.
    getLoadContext: (req) => ({ clientIp: req.socket.remoteAddress }),
  }),
);

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "0.0.0.0";
const server = app.listen(port, host, () => {
  console.info(`HemaLink listening on http://localhost:${port}`);
});

// Stop cleanly (containers and process managers send SIGTERM): no new connections, then exit.
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  });
}
