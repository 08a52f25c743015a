import { createCookie } from "@remix-run/node";
import { getEnv } from "~/env.server";

/** Every cookie of the app: signed with SESSION_SECRET, HttpOnly, SameSite=Lax, Secure in production. */
export function signedCookie(
  name: string,
  { maxAge, path = "/" }: { maxAge: number; path?: string },
) {
  const env = getEnv();
  return createCookie(name, {
    httpOnly: true,
    sameSite: "lax",
    secure: env.NODE_ENV === "production",
    path,
    secrets: [env.SESSION_SECRET],
    maxAge,
  });
}
