/**
 * The one error a service throws when a request cannot be done. It says what kind of
 * refusal it is, in words for the user, and optionally which form field it concerns;
 * `app/http/errors.server.ts` maps it to an HTTP status and a form reply, in one place.
 */
export type DomainErrorKind =
  "not-found" | "conflict" | "invalid" | "forbidden" | "rate-limited" | "unavailable";

export class DomainError extends Error {
  override readonly name = "DomainError";
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly options: {
      field?: string;
      retryAfterSeconds?: number;
      /** A refusal HTTP names more precisely (401 bad credentials, 410 spent link, 413 too large, 415, 422). */
      status?: 401 | 410 | 413 | 415 | 422;
    } = {},
  ) {
    super(message);
  }
}

/** What the actor may not see does not exist for them (never a 403 that confirms it does). */
export function notFound(message = "Not found"): never {
  throw new DomainError("not-found", message);
}

/** The request does not fit the record's current state (a second revocation, a stale form). */
export const conflict = (message: string) => new DomainError("conflict", message);

/** The input is refused; `field` puts the message next to that form field. */
export const invalid = (message: string, field?: string, status?: 401 | 410 | 413 | 415 | 422) =>
  new DomainError("invalid", message, { field, status });

export const forbidden = (message: string) => new DomainError("forbidden", message);

/** Every 429 says when to come back (at least one second). */
export const rateLimited = (message: string, retryAfterSeconds: number) =>
  new DomainError("rate-limited", message, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

/** The instance is too busy right now (503); says when to come back (at least one second). */
export const unavailable = (message: string, retryAfterSeconds: number) =>
  new DomainError("unavailable", message, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)),
  });

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;
