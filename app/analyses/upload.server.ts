/** One upload, from the raw request to a saved analysis; every refusal is a domain error. */
import type { z } from "zod";
import type { Analysis } from "#db/schema";
import type { Actor } from "~/auth/permissions";
import { getEnv } from "~/env.server";
import { invalid, rateLimited } from "~/errors/domain-error";
import { hit } from "~/security/rate-limit.server";
import { ImageRejected } from "~/uploads/image.server";
import { parseUpload } from "~/uploads/multipart.server";
import { classifySmear } from "./classify.server";
import { createAnalysis, type NewAnalysis } from "./create.server";
import { IdempotencyKeySchema, type UploadSchema } from "./validation";

/** The image checks' refusals, as an input error on the photo field with their own status. */
async function onThePhoto<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ImageRejected) {
      throw invalid(error.message, "smear", error.status === 400 ? undefined : error.status);
    }
    throw error;
  }
}

/** The form of an upload, counted against the account's limit before the body is read. */
export async function readUpload(request: Request, user: Actor): Promise<FormData> {
  const limit = await hit("upload:account", user.id, getEnv().RATE_LIMIT_UPLOADS_PER_ACCOUNT);
  if (!limit.allowed) {
    throw rateLimited("Too many uploads. Please wait a few minutes.", limit.retryAfterSeconds);
  }
  return onThePhoto(() => parseUpload(request));
}

/**
 * The upload's idempotency key: the `Idempotency-Key` header (API clients; a structured
 * string, quotes optional), else the form's hidden field. A malformed header is a 400.
 */
export function idempotencyKeyOf(request: Request, fromForm?: string): string | undefined {
  const header = request.headers.get("Idempotency-Key");
  if (header === null) return fromForm;
  const parsed = IdempotencyKeySchema.safeParse(header.trim().replace(/^"(.*)"$/, "$1"));
  if (!parsed.success) throw invalid(parsed.error.issues[0]!.message);
  return parsed.data;
}

/**
 * Classify and store the uploaded smear for the patient, or for a doctor's clinic patient
 * (a retried key: the first result).
 */
export async function uploadAnalysis(
  user: Actor,
  { smear, ageBracket, note, idempotencyKey, researchConsent }: z.output<typeof UploadSchema>,
  request: Request,
  forClinicPatient?: NewAnalysis["forClinicPatient"],
): Promise<Analysis> {
  const key = idempotencyKeyOf(request, idempotencyKey);
  const bytes = new Uint8Array(await smear.arrayBuffer());
  return onThePhoto(() =>
    createAnalysis(
      user,
      { bytes, ageBracket, note, idempotencyKey: key, researchConsent, forClinicPatient },
      classifySmear,
    ),
  );
}
