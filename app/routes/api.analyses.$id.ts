import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOwnAnalysis } from "~/analyses/analyses.server";
import { analysisToJson } from "~/analyses/json";
import { requireRole } from "~/auth/guards.server";
import { handleLoader } from "~/http/pipeline.server";

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const analysis = await getOwnAnalysis(user, params.id ?? "");
    return Response.json(analysisToJson(analysis), {
      headers: { "Cache-Control": "private, no-store" },
    });
  });
}
