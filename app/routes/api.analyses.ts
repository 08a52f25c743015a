import type { LoaderFunctionArgs, ActionFunctionArgs } from "@remix-run/node";
import { listOwnAnalyses } from "~/analyses/analyses.server";
import { analysisToJson } from "~/analyses/json";
import { readUpload, uploadAnalysis } from "~/analyses/upload.server";
import { UploadSchema } from "~/analyses/validation";
import { requireRole } from "~/auth/guards.server";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";

/** The patient's analyses, newest first. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    return Response.json({ analyses: (await listOwnAnalyses(user)).map(analysisToJson) });
  });
}

/**
 * POST /api/analyses: the same upload as /analyses/new, answered in JSON — for programmatic
 * clients and for the enhanced form, which posts with XMLHttpRequest to show progress. An
 * `Idempotency-Key` header (or the form's `idempotencyKey` field) makes a retry safe: the
 * same key and upload answer the first analysis; the same key with another upload is a 422.
 */
export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "patient",
    api: true,
    readForm: readUpload,
    intents: {
      default: intent(UploadSchema, async ({ user, value, request }) => {
        // The new row itself (its creation is audited): no second read. A retry with the
        // same Idempotency-Key gets the same answer for the same analysis.
        const analysis = analysisToJson(await uploadAnalysis(user, value, request));
        return Response.json(analysis, { status: 201, headers: { Location: analysis.links.page } });
      }),
    },
  });
}
