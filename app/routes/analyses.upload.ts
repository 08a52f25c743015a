import type { ActionFunctionArgs } from "@remix-run/node";
import { handleUpload } from "~/analyses/upload.server";
import { requireRole, requireSameOrigin } from "~/auth/guards.server";
import { clientIp } from "~/security/request.server";

/**
 * The same upload as /analyses/new, answered in JSON for the enhanced form, which posts
 * with XMLHttpRequest to show upload progress.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, "patient");
  const outcome = await handleUpload(user, request, clientIp(request, context));
  if (outcome.ok) {
    return Response.json({ location: `/analyses/${outcome.analysisId}` }, { status: 201 });
  }
  return Response.json(outcome.reply, { status: outcome.status });
}

export async function loader() {
  throw new Response("Not found", { status: 404 });
}
