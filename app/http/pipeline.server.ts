/**
 * The one way a route handles a request. A loader: open the request context, run, and turn
 * a domain error into an error page. An action, in this order: refuse a cross-site request
 * (403), check who may act (a redirect to /login, or 404 for another role), read the form,
 * pick the intent (404 for an unknown one), parse it with its zod schema through conform
 * (400 with the form's errors), run it; a domain error from the service goes back to the
 * form as a conform reply with its status (not-found and forbidden end with an error page).
 */
import type { Submission, SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { z } from "zod";
import { getOptionalUser, requireRole, requireUser } from "~/auth/guards.server";
import type { SessionUser } from "~/auth/session.server";
import type { Role } from "~/auth/vocabulary";
import { DomainError, forbidden, notFound } from "~/errors/domain-error";
import { isCrossSiteRequest, type AppLoadContext } from "~/security/request.server";
import { endsRequest, errorJson, errorReply, errorResponse } from "./errors.server";
import { markPrivate, withRequestContext } from "./request-context.server";

type Params = ActionFunctionArgs["params"];

export type IntentInput<U, V> = {
  user: U;
  value: V;
  form: FormData;
  request: Request;
  params: Params;
  /** The parsed form, for a handler that answers with a reply of its own (kept values). */
  submission: Submission<unknown>;
};

export type Intent<U, R> = {
  schema: z.ZodType;
  /** Fields never echoed back to the browser (passwords). */
  hideFields?: string[];
  run: (input: IntentInput<U, unknown>) => R | Promise<R>;
};

export const NO_FIELDS = z.object({});

/** An intent whose form fields are parsed by `schema` (a signed-in user acts). */
export function intent<S extends z.ZodType, R>(
  schema: S,
  run: (input: IntentInput<SessionUser, z.output<S>>) => R | Promise<R>,
  options: { hideFields?: string[] } = {},
): Intent<SessionUser, R> {
  return { schema, run: run as Intent<SessionUser, R>["run"], ...options };
}

/** An intent that needs no fields beyond the intent itself (accept, withdraw, …). */
export const step = <R>(run: (input: IntentInput<SessionUser, unknown>) => R | Promise<R>) =>
  intent(NO_FIELDS, run);

/** An intent open to visitors who are not signed in (login, registration). */
export function publicIntent<S extends z.ZodType, R>(
  schema: S,
  run: (input: IntentInput<SessionUser | null, z.output<S>>) => R | Promise<R>,
  options: { hideFields?: string[] } = {},
): Intent<SessionUser | null, R> {
  return { schema, run: run as Intent<SessionUser | null, R>["run"], ...options };
}

type Who = Role | "user" | "anyone";
type UserOf<W extends Who> = W extends "anyone" ? SessionUser | null : SessionUser;
type ResultOf<I> = I extends { run: (input: never) => infer R } ? Awaited<R> : never;
type FailureReply = ReturnType<typeof data<SubmissionResult<string[]>>>;

async function actorFor(request: Request, who: Who): Promise<SessionUser | null> {
  if (who === "anyone") return getOptionalUser(request);
  if (who === "user") return requireUser(request);
  return requireRole(request, who);
}

/** Run `fn`, turning a domain error into an error page (loaders, resource routes). */
async function orErrorPage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof DomainError) throw errorResponse(error);
    throw error;
  }
}

/**
 * A loader inside the request context, its domain errors as error pages. Routes call it
 * from `export function loader(args)`: a function declaration is what the compiler strips
 * from the browser bundle together with everything it calls.
 */
export function handleLoader<T>(
  args: LoaderFunctionArgs,
  load: (args: LoaderFunctionArgs) => Promise<T> | T,
): Promise<T> {
  return withRequestContext(args.request, args.context, () =>
    orErrorPage(async () => markPrivate(await load(args))),
  );
}

/**
 * An action made of named intents (the form's `intent` field; a form without one runs
 * `default`). `readForm` replaces `request.formData()` (the streaming upload parser);
 * `api` answers refusals as JSON responses instead of form data.
 */
export function handleAction<
  W extends Who,
  I extends Record<string, Intent<UserOf<W>, unknown>>,
  A extends boolean = false,
>(
  { request, params, context }: ActionFunctionArgs,
  spec: {
    who: W;
    intents: I;
    readForm?: (request: Request, user: UserOf<W>) => Promise<FormData>;
    api?: A;
  },
): Promise<ResultOf<I[keyof I]> | (A extends true ? Response : FailureReply)> {
  type Out = ResultOf<I[keyof I]> | (A extends true ? Response : FailureReply);
  const refuse = (submission: Submission<unknown> | null, error: DomainError, hide?: string[]) =>
    (spec.api ? errorJson(submission, error, hide) : errorReply(submission, error, hide)) as Out;
  return withRequestContext(request, context, () =>
    orErrorPage(async () => {
      const peer = (context as AppLoadContext | undefined)?.clientIp;
      if (isCrossSiteRequest(request.method, (name) => request.headers.get(name), peer)) {
        throw forbidden("Cross-site request refused");
      }
      const user = (await actorFor(request, spec.who)) as UserOf<W>;
      let form: FormData;
      try {
        form = await (spec.readForm ?? ((r: Request) => r.formData()))(request, user);
      } catch (error) {
        if (!(error instanceof DomainError) || endsRequest(error)) throw error;
        return refuse(null, error);
      }
      const name = form.get("intent");
      const key = typeof name === "string" && name ? name : "default";
      const chosen = Object.hasOwn(spec.intents, key) ? spec.intents[key] : undefined;
      if (!chosen) notFound();
      const submission = parseWithZod(form, { schema: chosen.schema }) as Submission<unknown>;
      if (submission.status !== "success") {
        const reply = submission.reply({ hideFields: chosen.hideFields });
        return (
          spec.api ? Response.json(reply, { status: 400 }) : data(reply, { status: 400 })
        ) as Out;
      }
      try {
        const input = { user, value: submission.value, form, request, params, submission };
        return markPrivate(await chosen.run(input)) as Out;
      } catch (error) {
        if (!(error instanceof DomainError) || endsRequest(error)) throw error;
        return refuse(submission, error, chosen.hideFields);
      }
    }),
  );
}
