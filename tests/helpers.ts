import { createAccount } from "~/auth/accounts.server";
import { createUserSession } from "~/auth/session.server";
import type { Role } from "#db/schema";

export const ORIGIN = "http://localhost:3000";

let counter = 0;

export async function makeUser(role: Role = "patient", password = "correct horse battery") {
  counter += 1;
  const email = `${role}${counter}-${Date.now()}@example.test`;
  const user = await createAccount({ name: `Test ${role} ${counter}`, email, password, role });
  return { ...user, password };
}

/** A signed session cookie header value for `userId`, as the browser would send it. */
export async function sessionCookieFor(userId: string): Promise<string> {
  const setCookie = await createUserSession(userId);
  return setCookie.split(";")[0];
}

export function formRequest(
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Request {
  return new Request(`${ORIGIN}${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: ORIGIN,
      Host: "localhost:3000",
      ...headers,
    },
  });
}

export function getRequest(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`${ORIGIN}${path}`, { headers });
}

/** Await a loader/action that is expected to throw a Response; return that Response. */
export async function thrownResponse(
  promise: Promise<unknown> | (() => unknown),
): Promise<Response> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("Expected a thrown Response");
}
