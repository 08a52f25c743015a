import { getEnv } from "~/env.server";
import {
  arrivedOverTls as arrivedOverTlsWith,
  clientAddress,
  trustsForwardedHeaders,
} from "./proxy.server";

/** What the server adapter knows of the connection: the socket's peer (a proxy, or the client). */
export type AppLoadContext = { clientIp?: string };

const peerOf = (context: unknown) => (context as AppLoadContext | undefined)?.clientIp;

/**
 * The client's IP: the socket's peer from the server adapter, or, when that peer is a trusted
 * proxy (TRUST_PROXY), the X-Forwarded-For entry read from the right (docs/decisions/029).
 */
export function clientIp(request: Request, context?: unknown): string {
  const forwarded = request.headers.get("x-forwarded-for");
  return clientAddress(getEnv().TRUST_PROXY, peerOf(context), forwarded) ?? "unknown";
}

/** For the Node server (before Remix): the same answer from the socket's values. */
export const clientIpOf = (peer: string | undefined, forwardedFor: string | undefined) =>
  clientAddress(getEnv().TRUST_PROXY, peer, forwardedFor) ?? "unknown";

/** Whether the request arrived over TLS, here or at a trusted proxy (for HSTS). */
export const arrivedOverTls = (
  encrypted: boolean,
  peer: string | undefined,
  forwardedProto: string | undefined,
) => arrivedOverTlsWith(getEnv().TRUST_PROXY, { encrypted, peer, forwardedProto });

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery guard for every state-changing request: browsers send
 * Sec-Fetch-Site on all modern requests and Origin on POST; both must say same origin.
 * Takes a header getter so the Node server can call it before Remix parses anything, and the
 * socket's peer: X-Forwarded-Host counts only when that peer is a trusted proxy.
 */
export function isCrossSiteRequest(
  method: string,
  header: (name: string) => string | null | undefined,
  peer?: string,
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  const site = header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = header("origin");
  // Non-browser clients (curl, tests) send neither header; SameSite=Lax cookies protect them.
  if (!origin) return false;
  const forwardedHost = trustsForwardedHeaders(getEnv().TRUST_PROXY, peer)
    ? header("x-forwarded-host")
    : null;
  const host = forwardedHost?.split(",")[0]?.trim() || header("host");
  try {
    return origin === "null" || new URL(origin).host !== host;
  } catch {
    return true;
  }
}
