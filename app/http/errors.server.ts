/**
 * The one place a domain error becomes HTTP: a status (with Retry-After when rate-limited or
 * busy), and either a Response for an error page or a conform reply for the form that was sent.
 */
import type { Submission, SubmissionResult } from "@conform-to/react";
import { data } from "@remix-run/node";
import type { DomainError, DomainErrorKind } from "~/errors/domain-error";

const STATUS: Record<DomainErrorKind, number> = {
  "not-found": 404,
  conflict: 409,
  invalid: 400,
  forbidden: 403,
  "rate-limited": 429,
  unavailable: 503,
};

export const statusOf = (error: DomainError) => error.options.status ?? STATUS[error.kind];

function headersOf(error: DomainError): Record<string, string> {
  if (error.kind !== "rate-limited" && error.kind !== "unavailable") return {};
  return { "Retry-After": String(Math.max(1, error.options.retryAfterSeconds ?? 60)) };
}

/** A refusal as a page: the error boundary shows the message (404 shows "Page not found"). */
export function errorResponse(error: DomainError): Response {
  return new Response(error.message, {
    status: statusOf(error),
    headers: { "Content-Type": "text/plain; charset=utf-8", ...headersOf(error) },
  });
}

/** The conform reply for a refusal: the message on its field, or above the form. */
export function replyOf(
  submission: Submission<unknown> | null,
  error: DomainError,
  hideFields?: string[],
): SubmissionResult<string[]> {
  const { field } = error.options;
  // Before the form could be read (an upload refused while streaming) there is no submission.
  if (!submission) return { status: "error", error: { [field ?? ""]: [error.message] } };
  return submission.reply(
    field
      ? { fieldErrors: { [field]: [error.message] }, hideFields }
      : { formErrors: [error.message], hideFields },
  );
}

/** The form is sent back with the refusal and the refusal's status. */
export function errorReply(
  submission: Submission<unknown> | null,
  error: DomainError,
  hideFields?: string[],
) {
  return data(replyOf(submission, error, hideFields), {
    status: statusOf(error),
    headers: headersOf(error),
  });
}

/** The same reply as JSON, for API clients (the enhanced upload form posts with XHR). */
export function errorJson(
  submission: Submission<unknown> | null,
  error: DomainError,
  hideFields?: string[],
): Response {
  return Response.json(replyOf(submission, error, hideFields), {
    status: statusOf(error),
    headers: headersOf(error),
  });
}

/** Not found and forbidden end the request with an error page; the rest go back to the form. */
export const endsRequest = (error: DomainError) =>
  error.kind === "not-found" || error.kind === "forbidden";
