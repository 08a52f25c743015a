import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOwnAnalysis, readOwnAnalysisImage } from "~/analyses/analyses.server";
import { analysisToFhir } from "~/analyses/fhir";
import { requireRole } from "~/auth/guards.server";
import { finalReviewFor } from "~/consultations/final.server";
import { clientIp } from "~/security/request.server";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "patient");
  const ip = clientIp(request, context);
  const analysis = getOwnAnalysis(user, params.id ?? "", ip);
  const image = await readOwnAnalysisImage(user, analysis.id, "original", ip);
  const report = analysisToFhir({
    analysis,
    patientName: user.displayName,
    imageJpeg: image.bytes,
    baseUrl: new URL(request.url).origin,
    // getOwnAnalysis above has scoped the analysis to this patient.
    final: finalReviewFor(analysis.id),
  });
  return new Response(JSON.stringify(report, null, 2), {
    headers: {
      "Content-Type": "application/fhir+json; charset=utf-8",
      "Content-Disposition": `attachment; filename="hemalink-${analysis.id}.fhir.json"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
