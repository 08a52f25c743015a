/**
 * The "known device" cookie: a signed, HttpOnly note that this browser has logged in to
 * these accounts before. A correct password from such a device gets through an account's
 * login back-off, so guessing someone's password cannot lock them out (docs/decisions/030).
 * The device has a back-off of its own, so a stolen cookie is no guessing licence.
 */
import crypto from "node:crypto";
import { signedCookie } from "./cookies.server";

export type KnownDevice = { id: string; users: string[] };

const REMEMBER_DAYS = 180;
/** A shared family computer: a few accounts, the most recent first. */
const MAX_USERS = 5;

const deviceCookie = () => signedCookie("__hemalink_device", { maxAge: REMEMBER_DAYS * 24 * 3600 });

const isDevice = (value: unknown): value is KnownDevice =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as KnownDevice).id === "string" &&
  Array.isArray((value as KnownDevice).users) &&
  (value as KnownDevice).users.every((u) => typeof u === "string");

/** The device's note, when the cookie is present and its signature holds. */
export async function readKnownDevice(cookieHeader: string | null): Promise<KnownDevice | null> {
  const value: unknown = await deviceCookie().parse(cookieHeader);
  return isDevice(value) ? value : null;
}

/** After a successful login: the Set-Cookie header that adds `userId` to this device's note. */
export function rememberDevice(device: KnownDevice | null, userId: string): Promise<string> {
  const users = [userId, ...(device?.users ?? []).filter((u) => u !== userId)].slice(0, MAX_USERS);
  return deviceCookie().serialize({ id: device?.id ?? crypto.randomUUID(), users });
}
