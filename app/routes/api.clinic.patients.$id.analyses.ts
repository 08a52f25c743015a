import type { ActionFunctionArgs } from "@remix-run/node";
import { readUpload } from "~/analyses/upload.server";
import { UploadSchema } from "~/analyses/validation";
import { analyseForClinicPatient } from "~/clinic/intake.server";
import { handleAction, intent } from "~/http/pipeline.server";

/**
 * POST /api/clinic/patients/:id/analyses: the clinic upload of /doctor/patients/:id/analyses/new
 * answered in JSON, for its enhanced form (XMLHttpRequest, to show progress) — the same
 * guards, checks and idempotency key as the page's own action. 201 names the review page.
 */
export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    api: true,
    readForm: readUpload,
    intents: {
      default: intent(UploadSchema, async ({ user, value, request, params }) => {
        const { analysis, consultationId } = await analyseForClinicPatient(
          user,
          params.id ?? "",
          value,
          request,
        );
        const page = `/doctor/cases/${consultationId}`;
        return Response.json(
          { id: analysis.id, consultationId, links: { page } },
          { status: 201, headers: { Location: page } },
        );
      }),
    },
  });
}
