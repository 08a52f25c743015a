import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOwnAnalysis } from "~/analyses/analyses.server";
import { analysisToJson } from "~/analyses/json";
import { requireRole } from "~/auth/guards.server";
import { clientIp } from "~/security/request.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "patient");
  const analysis = getOwnAnalysis(user, params.id ?? "", clientIp(request, context));
  return Response.json(analysisToJson(analysis), {
    headers: { "Cache-Control": "private, no-store" },
  });
}
