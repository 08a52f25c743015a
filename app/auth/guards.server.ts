import { redirect } from "@remix-run/node";
import { notFound } from "~/errors/domain-error";
import { setActor } from "~/http/request-context.server";
import { can, type Action } from "./permissions";
import { getSessionUser, type SessionUser } from "./session.server";

/** The signed-in user or null; the request context names them from here on. */
export async function getOptionalUser(request: Request): Promise<SessionUser | null> {
  const user = await getSessionUser(request);
  if (user) setActor(user);
  return user;
}

/** The signed-in user, or a redirect to /login that comes back here afterwards. */
export async function requireUser(request: Request): Promise<SessionUser> {
  const user = await getOptionalUser(request);
  if (!user) {
    const url = new URL(request.url);
    const back = url.pathname + url.search;
    throw redirect(`/login?${new URLSearchParams({ redirectTo: back })}`);
  }
  return user;
}

/** The login and registration pages: someone signed in goes to their home instead. */
export async function requireSignedOut(request: Request): Promise<null> {
  const user = await getOptionalUser(request);
  if (user) throw redirect(homeFor(user));
  return null;
}

/** A page for another role answers 404: it does not exist for this user. */
export async function requirePermission(request: Request, action: Action): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!can(user, action)) notFound();
  return user;
}

export const requireRole = (request: Request, role: SessionUser["role"]) =>
  requirePermission(request, { type: `${role}:access` } as Action);

/** Only local paths: an attacker's `redirectTo=//evil.example` goes home instead. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/") {
  if (!to || typeof to !== "string") return fallback;
  if (!to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}

export function homeFor(user: SessionUser): string {
  switch (user.role) {
    case "admin":
      return "/admin";
    case "doctor":
      return "/doctor";
    case "patient":
      return "/dashboard";
    case "researcher":
      return "/admin/models";
  }
}

/** After login or registration: the session cookie, and back where the user was going. */
export function redirectSignedIn(
  signedIn: { user: SessionUser; setCookie: string; deviceCookie?: string },
  redirectTo: string | undefined,
) {
  const headers = new Headers({ "Set-Cookie": signedIn.setCookie });
  if (signedIn.deviceCookie) headers.append("Set-Cookie", signedIn.deviceCookie);
  return redirect(safeRedirect(redirectTo, homeFor(signedIn.user)), { headers });
}
