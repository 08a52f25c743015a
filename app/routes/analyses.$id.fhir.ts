import type { LoaderFunctionArgs } from "@remix-run/node";
import { getOwnAnalysis, readOwnAnalysisImage } from "~/analyses/analyses.server";
import { analysisToFhir } from "~/analyses/fhir";
import { requireRole } from "~/auth/guards.server";
import { finalReviewFor } from "~/consultations/final.server";
import { attachmentResponse } from "~/http/attachment.server";
import { handleLoader } from "~/http/pipeline.server";

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const analysis = await getOwnAnalysis(user, params.id ?? "");
    const image = await readOwnAnalysisImage(user, analysis.id, "original");
    const report = analysisToFhir({
      analysis,
      patientName: user.displayName,
      imageJpeg: image.bytes,
      baseUrl: new URL(request.url).origin,
      // getOwnAnalysis above has scoped the analysis to this patient.
      final: await finalReviewFor(analysis.id),
    });
    return attachmentResponse(JSON.stringify(report, null, 2), {
      contentType: "application/fhir+json; charset=utf-8",
      filename: `hemalink-${analysis.id}.fhir.json`,
    });
  });
}
