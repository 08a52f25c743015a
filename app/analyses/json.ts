import type { Analysis } from "#db/schema";

/** The analysis as the JSON API returns it: the result, never storage details. */
export function analysisToJson(analysis: Analysis) {
  const base = `/analyses/${analysis.id}`;
  return {
    id: analysis.id,
    createdAt: analysis.createdAt.toISOString(),
    status: "preliminary" as const,
    verdict: analysis.verdict,
    reasons: analysis.reasons,
    top: analysis.topClass,
    probabilities: analysis.probabilities,
    confidence: analysis.confidence,
    capture: analysis.capture,
    modelVersion: analysis.modelVersion,
    ageBracket: analysis.ageBracket,
    note: analysis.note,
    links: {
      page: base,
      image: `${base}/image/original`,
      heatmap: `${base}/image/heatmap`,
      report: `${base}/report`,
      fhir: `${base}/fhir`,
    },
  };
}
