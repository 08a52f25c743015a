import { getEnv } from "~/env.server";

export type AppLoadContext = { clientIp?: string };

/** The client's IP: from the server adapter, or the proxy's header when TRUST_PROXY is set. */
export function clientIp(request: Request, context?: unknown): string {
  if (getEnv().TRUST_PROXY) {
    const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  const fromAdapter = (context as AppLoadContext | undefined)?.clientIp;
  return fromAdapter ?? "unknown";
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Cross-site request forgery guard for every state-changing request: browsers send
 * Sec-Fetch-Site on all modern requests and Origin on POST; both must say same origin.
 * Takes a header getter so the Node server can call it before Remix parses anything.
 */
export function isCrossSiteRequest(
  method: string,
  header: (name: string) => string | null | undefined,
): boolean {
  if (SAFE_METHODS.has(method.toUpperCase())) return false;
  const site = header("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") return true;
  const origin = header("origin");
  // Non-browser clients (curl, tests) send neither header; SameSite=Lax cookies protect them.
  if (!origin) return false;
  const forwardedHost = getEnv().TRUST_PROXY ? header("x-forwarded-host") : null;
  const host = forwardedHost?.split(",")[0]?.trim() || header("host");
  try {
    return origin === "null" || new URL(origin).host !== host;
  } catch {
    return true;
  }
}
