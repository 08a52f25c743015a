import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { listOwnAnalyses } from "~/analyses/analyses.server";
import { analysisToJson } from "~/analyses/json";
import { handleUpload } from "~/analyses/upload.server";
import { requireRole, requireSameOrigin } from "~/auth/guards.server";
import { clientIp } from "~/security/request.server";

/** The patient's analyses, newest first. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, "patient");
  return Response.json({ analyses: listOwnAnalyses(user).map(analysisToJson) });
}

/**
 * POST /api/analyses: the same upload as /analyses/new, answered in JSON — for programmatic
 * clients and for the enhanced form, which posts with XMLHttpRequest to show progress.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, "patient");
  const ip = clientIp(request, context);
  const outcome = await handleUpload(user, request, ip);
  if (!outcome.ok) return Response.json(outcome.reply, { status: outcome.status });
  // The new row itself (its creation is audited): no second read.
  const analysis = analysisToJson(outcome.analysis);
  return Response.json(analysis, { status: 201, headers: { Location: analysis.links.page } });
}
