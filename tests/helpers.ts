import { createAccount } from "~/auth/accounts.server";
import { createUserSession } from "~/auth/session.server";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, consultations, doctorProfiles } from "#db/schema";
import type { Role } from "~/auth/vocabulary";
import { DomainError } from "~/errors/domain-error";
import { errorResponse, statusOf } from "~/http/errors.server";
import { runWithRequestContext } from "~/http/request-context.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { acceptRequest, answerConsultation, shareAnalysis } from "~/consultations/lifecycle.server";
import type { DoctorClass } from "~/consultations/vocabulary";

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

/**
 * Await a loader/action (or a service) that is expected to refuse; return the Response it
 * threw, or the one the app's single mapping makes of the domain error a service threw.
 */
export async function thrownResponse(
  promise: Promise<unknown> | (() => unknown),
): Promise<Response> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof Response) return error;
    if (error instanceof DomainError) return errorResponse(error);
    throw error;
  }
  throw new Error("Expected a thrown Response");
}

/** The HTTP status of the domain error a service call throws. */
export async function statusThrownBy(fn: () => unknown): Promise<number> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof DomainError) return statusOf(error);
    throw error;
  }
  throw new Error("Expected a domain error");
}

/** Run `fn` as part of a request from `ip` (the request context the server opens). */
export const fromAddress = <T>(ip: string, fn: () => T): T => runWithRequestContext({ ip }, fn);

/** The doctor profile of a doctor user (every doctor account has one). */
export async function profileOf(userId: string) {
  return (
    await getDb().select().from(doctorProfiles).where(eq(doctorProfiles.userId, userId)).limit(1)
  )[0]!;
}

/** A new doctor whose profile an admin has verified, with a location; `set` overrides fields. */
export async function makeCertifiedDoctor(set: Partial<typeof doctorProfiles.$inferInsert> = {}) {
  const user = await makeUser("doctor");
  await inTransaction(({ tx }) =>
    tx
      .update(doctorProfiles)
      .set({ status: "verified", lat: 48.85, lng: 2.35, ...set })
      .where(eq(doctorProfiles.userId, user.id)),
  );
  return { user, profile: await profileOf(user.id) };
}

/** An analysis row for `patientId` without files (for access and workflow tests). */
export async function insertAnalysis(
  patientId: string,
  values: Partial<typeof analyses.$inferInsert> = {},
) {
  return (
    await inTransaction(({ tx }) =>
      tx
        .insert(analyses)
        .values({
          patientId,
          imageKey: `key-${crypto.randomUUID()}`,
          sha256: "0".repeat(64),
          modelVersion: "test",
          verdict: "ok",
          reasons: [],
          probabilities: { benign: 0.1, early_pre_b: 0.7, pre_b: 0.1, pro_b: 0.1 },
          topClass: "early_pre_b",
          confidence: "low",
          ...values,
        })
        .returning(),
    )
  )[0];
}

/**
 * A consultation on a new analysis of `patientId`, requested, accepted and answered `at`
 * (written directly, to date it in the past for the closing and purging jobs).
 */
export async function insertAnsweredConsultation(
  patientId: string,
  doctorProfileId: string,
  at: Date,
) {
  const analysis = await insertAnalysis(patientId);
  const [row] = await inTransaction(({ tx }) =>
    tx
      .insert(consultations)
      .values({
        analysisId: analysis.id,
        patientId,
        doctorProfileId,
        status: "answered",
        message: "Please look at this smear.",
        consentAt: at,
        requestedAt: at,
        acceptedAt: at,
        answeredAt: at,
        doctorClass: "benign",
      })
      .returning(),
  );
  return row!;
}

export type TestUser = Awaited<ReturnType<typeof makeUser>>;
type Params = Record<string, string>;

/** A route's arguments for a GET of `path` by `user` (an anonymous visitor without one). */
export async function getArgs(user: { id: string } | null, path: string, params: Params = {}) {
  const headers: Record<string, string> = user ? { Cookie: await sessionCookieFor(user.id) } : {};
  return { request: getRequest(path, headers), params, context: {} };
}

/** A route's arguments for a same-origin form POST of `fields` to `path` by `user`. */
export async function postArgs(
  user: { id: string },
  path: string,
  params: Params,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const cookie = await sessionCookieFor(user.id);
  return {
    request: formRequest(path, fields, { Cookie: cookie, ...headers }),
    params,
    context: {},
  };
}

/** The status of a route's result: a returned Response, or `data(…, { status })`. */
export function resultStatus(result: unknown): number {
  if (result instanceof Response) return result.status;
  return (result as { init?: { status?: number } }).init?.status ?? 200;
}

/**
 * The patient shares their analysis with a certified doctor (of `makeCertifiedDoctor`), who
 * accepts it and answers `doctorClass`: a final answer, for the statistics and the research
 * export.
 */
export async function shareAndAnswer(
  doctor: Awaited<ReturnType<typeof makeCertifiedDoctor>>,
  patient: { id: string; role: Role },
  analysisId: string,
  doctorClass: DoctorClass,
): Promise<void> {
  const c = await shareAnalysis(patient, analysisId, {
    doctorProfileId: doctor.profile.id,
    message: "Please look at my smear and tell me what you think.",
    consent: true,
  });
  await acceptRequest(doctor.user, c.id);
  await answerConsultation(doctor.user, c.id, {
    doctorClass,
    morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
    recommendations: "See a hematologist in clinic for flow cytometry.",
    urgency: "soon",
  });
}
