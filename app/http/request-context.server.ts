/**
 * The request context: who is acting, from which address, under which request id. Opened
 * once per request (by server.js, else by the route pipeline) and read by audit, services
 * and logs, so none of them takes these as parameters.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import crypto from "node:crypto";
import type { Actor } from "~/auth/permissions";
import { clientIp } from "~/security/request.server";

export type RequestContext = { requestId: string; ip?: string; actor: Actor | null };

// One store per process. server.js is not part of the app bundle, so the two find the same
// store through a registered symbol rather than through a shared module instance.
const KEY = Symbol.for("hemalink.request-context");
const registry = globalThis as unknown as { [KEY]?: AsyncLocalStorage<RequestContext> };
const storage = (registry[KEY] ??= new AsyncLocalStorage<RequestContext>());

export const currentRequest = (): RequestContext | undefined => storage.getStore();

export function runWithRequestContext<T>(context: Partial<RequestContext>, fn: () => T): T {
  return storage.run(
    {
      requestId: context.requestId ?? crypto.randomUUID(),
      ip: context.ip,
      actor: null,
      ...context,
    },
    fn,
  );
}

/** Run a loader or action inside the request's context, opening one if the server did not. */
export function withRequestContext<T>(request: Request, loadContext: unknown, fn: () => T): T {
  const open = storage.getStore();
  if (open) {
    open.ip ??= clientIp(request, loadContext);
    return fn();
  }
  return runWithRequestContext({ ip: clientIp(request, loadContext) }, fn);
}

/** The signed-in user, once the session is read: audit rows and logs name them. */
export function setActor(actor: Actor): void {
  const open = storage.getStore();
  if (open) open.actor = { id: actor.id, role: actor.role };
}

/** Whether a signed-in user is acting: what the response shows is theirs alone. */
export const isSignedInRequest = (): boolean => Boolean(storage.getStore()?.actor);

/** Private pages and API answers are kept by no cache, shared or the browser's own. */
export const PRIVATE_NO_STORE = "private, no-store";

/** Mark a response private (no-store) when a signed-in user's request produced it. */
export function markPrivate<T>(result: T): T {
  if (result instanceof Response && isSignedInRequest()) {
    try {
      result.headers.set("Cache-Control", PRIVATE_NO_STORE);
    } catch {
      // Immutable headers (a proxied fetch response) keep their own.
    }
  }
  return result;
}

/** A log line tagged with the request id, so one request's lines can be found together. */
export function logError(message: string, error?: unknown): void {
  const id = storage.getStore()?.requestId ?? "-";
  console.error(`[request ${id}] ${message}`, error ?? "");
}

/** One line for an answered client error (a 404, a 405): no stack trace, the request id. */
export function logClientError(status: number, method: string, path: string): void {
  const id = storage.getStore()?.requestId ?? "-";
  console.warn(`[request ${id}] ${status} ${method} ${path}`);
}
