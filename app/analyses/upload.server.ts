import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { Analysis } from "#db/schema";
import type { SessionUser } from "~/auth/session.server";
import { getEnv } from "~/env.server";
import { hit } from "~/security/rate-limit.server";
import { ImageRejected } from "~/uploads/image.server";
import { parseUpload } from "~/uploads/multipart.server";
import { classifySmear } from "./classify.server";
import { createAnalysis } from "./create.server";
import { UploadSchema } from "./validation";

export type UploadOutcome =
  | { ok: true; analysis: Analysis }
  | { ok: false; status: number; reply: SubmissionResult<string[]> };

const fieldError = (field: string, message: string): SubmissionResult<string[]> => ({
  status: "error",
  error: { [field]: [message] },
});

/** One upload, from the raw request to a saved analysis, or a message for the form. */
export async function handleUpload(
  user: SessionUser,
  request: Request,
  ip: string,
): Promise<UploadOutcome> {
  const limit = hit("upload:account", user.id, getEnv().RATE_LIMIT_UPLOADS_PER_ACCOUNT);
  if (!limit.allowed) {
    return {
      ok: false,
      status: 429,
      reply: { status: "error", error: { "": ["Too many uploads. Please wait a few minutes."] } },
    };
  }
  try {
    const submission = parseWithZod(await parseUpload(request), { schema: UploadSchema });
    if (submission.status !== "success") {
      return { ok: false, status: 400, reply: submission.reply() };
    }
    const { smear, ageBracket, note } = submission.value;
    const bytes = new Uint8Array(await smear.arrayBuffer());
    const analysis = await createAnalysis(user, { bytes, ageBracket, note, ip }, classifySmear);
    return { ok: true, analysis };
  } catch (error) {
    if (error instanceof ImageRejected) {
      return { ok: false, status: error.status, reply: fieldError("smear", error.message) };
    }
    throw error;
  }
}
