/**
 * The AWS Lambda entry (Architect's `@http` catch-all in app.arc, docs/decisions/063): the Remix
 * server build behind `@remix-run/architect`, with what server.js does around Remix for the
 * long-lived server: a request id and the request context, HSTS, the cross-site refusal, the
 * client's address from API Gateway. Files of the client build go out through Architect's
 * static asset proxy (the `@static` bucket on AWS, the folder locally). `npm run build:arc`
 * bundles this file, the server build and the packages they use into one module in the
 * function's folder (one file to load is most of a cold start saved), beside the models.
 *
 * Configuration is the environment only. Nothing is written to the local disk by the handler;
 * with the embedded SQLite default, DATABASE_URL and DATA_DIR must point under /tmp (the only
 * writable place on Lambda), which holds one instance's data only: a real deployment uses the
 * shared database and IMAGE_STORE=s3.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import asap from "@architect/asap";
import { createRequestHandler } from "@remix-run/architect";
import type { ServerBuild } from "@remix-run/node";
import { FILE_TOO_LARGE_SERVERLESS, SERVERLESS_MAX_BODY_BYTES } from "~/uploads/limits";
import { FUNCTION_DIR } from "./lambda-env";

type Handler = ReturnType<typeof createRequestHandler>;
type Event = Parameters<Handler>[0];
type Result = Exclude<Awaited<ReturnType<Handler>>, string | void>;

/** The server hooks the build's entry exports (app/entry.server.tsx). */
type EntryHooks = {
  arrivedOverTls: (encrypted: boolean, peer?: string, forwardedProto?: string) => boolean;
  isCrossSiteRequest: (method: string, header: (n: string) => string | undefined) => boolean;
  STRICT_TRANSPORT_SECURITY: string;
};

type Build = ServerBuild & { entry: { module: EntryHooks } };

// Opened here, before Remix, as in server.js: the same store through the registered symbol.
type Context = { requestId: string; ip?: string; actor: null };
const registry = globalThis as unknown as Record<symbol, AsyncLocalStorage<Context> | undefined>;
const requestContext = (registry[Symbol.for("hemalink.request-context")] ??=
  new AsyncLocalStorage<Context>());

const header = (event: Event) => (name: string) => event.headers?.[name.toLowerCase()];

/** The body's size in bytes, as it arrived (API Gateway base64-encodes binary bodies). */
export const bodyBytes = (event: Event) =>
  !event.body
    ? 0
    : event.isBase64Encoded
      ? Buffer.byteLength(event.body, "base64")
      : Buffer.byteLength(event.body);

/** The HTTP function's handler around the server build (`lambda-env.ts` evaluated before it). */
export function createHandler(build: Build) {
  const hooks = build.entry.module;
  // Every file of the client build, by URL path (listed by the build in the function's folder).
  const isClientFile = new Set(
    JSON.parse(fs.readFileSync(path.join(FUNCTION_DIR, "client-files.json"), "utf8")) as string[],
  );
  // Fingerprinted assets for a year, the other files of public/ briefly (as server.js serves them).
  const assets = asap({ passthru: true, cacheControl: "public, max-age=31536000, immutable" });
  const publicFiles = asap({ passthru: true, cacheControl: "public, max-age=3600" });
  const remix = createRequestHandler({
    build,
    mode: "production",
    // What the Node server hands Remix as the socket's peer: here API Gateway's view of the client.
    getLoadContext: (event) => ({ clientIp: event.requestContext.http.sourceIp }),
  });

  return async (event: Event, context: Parameters<Handler>[1]): Promise<Result> => {
    const requestId = crypto.randomUUID();
    const { method, path: urlPath, sourceIp } = event.requestContext.http;
    const get = header(event);
    const withCommon = (result: Result): Result => {
      const headers: Record<string, string | number | boolean> = {
        ...result.headers,
        "X-Request-Id": requestId,
      };
      if (hooks.arrivedOverTls(false, sourceIp, get("x-forwarded-proto"))) {
        headers["Strict-Transport-Security"] = hooks.STRICT_TRANSPORT_SECURITY;
      }
      if ((result.statusCode ?? 200) >= 500) {
        console.error(`[request ${requestId}] ${method} ${urlPath} → ${result.statusCode}`);
      }
      return { ...result, headers };
    };

    if (hooks.isCrossSiteRequest(method, get)) {
      return withCommon({
        statusCode: 403,
        headers: { "Content-Type": "text/plain" },
        body: "Cross-site request refused",
      });
    }
    if (bodyBytes(event) > SERVERLESS_MAX_BODY_BYTES) return withCommon(tooLarge(event));
    if ((method === "GET" || method === "HEAD") && isClientFile.has(urlPath)) {
      const file = await (urlPath.startsWith("/assets/") ? assets : publicFiles)(event);
      if (file) return withCommon(file);
    }
    // The address is filled in by the app from the load context (its TRUST_PROXY rules).
    const answer = requestContext.run({ requestId, actor: null }, () =>
      // The adapter reads the event only; Lambda's callback is not used by an async handler.
      remix(event, context, () => {}),
    );
    return withCommon((await answer) as Result);
  };
}

/**
 * A body over what Lambda can take: 413 with the app's message, as JSON in the shape of a form
 * reply for the API (the upload form posts there), else as a short page.
 */
function tooLarge(event: Event): Result {
  const api = event.requestContext.http.path.startsWith("/api/");
  return api
    ? {
        statusCode: 413,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ status: "error", error: { smear: [FILE_TOO_LARGE_SERVERLESS] } }),
      }
    : {
        statusCode: 413,
        headers: { "Content-Type": "text/html; charset=utf-8" },
        body: `<!doctype html><html lang="en"><meta charset="utf-8"><title>Too large · HemaLink</title><h1>The upload is too large</h1><p>${FILE_TOO_LARGE_SERVERLESS}</p><p><a href="/analyses/new">Back to the upload</a></p></html>`,
      };
}
