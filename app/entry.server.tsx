import crypto from "node:crypto";
import { PassThrough } from "node:stream";
import type { EntryContext, HandleDataRequestFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import type { ReactElement } from "react";
import { renderToPipeableStream } from "react-dom/server";
import { getEnv, mapTiles } from "~/env.server";
import { isSignedInRequest, logClientError, PRIVATE_NO_STORE } from "~/http/request-context.server";
import { SECURITY_HEADERS, contentSecurityPolicy } from "~/security/csp";
import { NonceProvider } from "~/security/nonce";
import { mapPreloadHeader } from "~/map/preload.server";

// The Node server (server.js) refuses cross-site writes with these before Remix runs, opens
// the request context with the client's address, and sends HSTS over TLS.
export { arrivedOverTls, clientIpOf, isCrossSiteRequest } from "~/security/request.server";
export { STRICT_TRANSPORT_SECURITY } from "~/security/proxy.server";
// server.js sweeps what a crash left in the image store before it listens.
export { recoverUploads } from "~/uploads/recovery.server";
export { PageCache, pageCacheSeconds } from "~/http/page-cache.server";
// …and runs the scheduled housekeeping on a timer (docs/decisions/033).
export { HOUSEKEEPING_JOBS, startHousekeeping } from "~/housekeeping/housekeeping.server";
export { startLabRunner } from "~/lab/runner.server";
// …and says at start-up which memory settings of the process were left out (decision 079).
export { missingMemorySettings } from "~/capacity/process-settings.server";

/** How long deferred loader data may take (single fetch); the render is aborted 1 s later. */
export const streamTimeout = 5_000;

// Validate the environment when the server module loads: a bad configuration stops start-up.
getEnv();

function applySecurityHeaders(headers: Headers) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
}

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  // A page rendered for a signed-in user (its loaders read the session) is theirs alone.
  if (isSignedInRequest()) responseHeaders.set("Cache-Control", PRIVATE_NO_STORE);
  const preload = mapPreloadHeader(remixContext);
  if (preload) responseHeaders.append("Link", preload);
  const nonce = crypto.randomBytes(16).toString("base64");
  return streamHtml(
    <NonceProvider value={nonce}>
      <RemixServer context={remixContext} url={request.url} nonce={nonce} />
    </NonceProvider>,
    {
      nonce,
      waitForAll: isbot(request.headers.get("user-agent") ?? ""),
      status: responseStatusCode,
      headers: responseHeaders,
    },
  );
}

/**
 * Stream a React document as the response body. The abort timer is cleared as soon as the
 * body is finished (or torn down): left pending, each timer keeps the whole render (its tree,
 * the loader data, the stream) alive for `streamTimeout` after the response was sent, which
 * under load tripled the server's memory (docs/performance.md).
 */
export function streamHtml(
  element: ReactElement,
  options: { nonce: string; waitForAll: boolean; status: number; headers: Headers },
): Promise<Response> {
  const { nonce, headers } = options;
  let status = options.status;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const abortTimer = setTimeout(() => abort(), streamTimeout + 1_000);
    const clearAbortTimer = () => clearTimeout(abortTimer);
    const { pipe, abort } = renderToPipeableStream(element, {
      nonce,
      [options.waitForAll ? "onAllReady" : "onShellReady"]() {
        shellRendered = true;
        const body = new PassThrough({
          final(callback) {
            clearAbortTimer();
            callback();
          },
        });
        body.once("close", clearAbortTimer);
        headers.set("Content-Type", "text/html; charset=utf-8");
        headers.set("Content-Security-Policy", contentSecurityPolicy(nonce, [mapTiles().origin]));
        applySecurityHeaders(headers);
        resolve(new Response(createReadableStreamFromReadable(body), { headers, status }));
        pipe(body);
      },
      onShellError(error: unknown) {
        clearAbortTimer();
        reject(error);
      },
      onError(error: unknown) {
        status = 500;
        // Logged on the server only; the browser sees the error boundary's friendly page.
        if (shellRendered) console.error(error);
      },
    });
  });
}

export const handleDataRequest: HandleDataRequestFunction = (response) => {
  applySecurityHeaders(response.headers);
  if (isSignedInRequest()) response.headers.set("Cache-Control", PRIVATE_NO_STORE);
  return response;
};

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  if (error instanceof Response) return;
  // A URL no route matches (e.g. /favicon.ico) is the client's error: one line, no stack.
  if (isRouteErrorResponse(error) && error.status < 500) {
    logClientError(error.status, request.method, new URL(request.url).pathname);
    return;
  }
  console.error(error);
}
