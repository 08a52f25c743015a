import { CLASS_IDS, type Analysis } from "#db/schema";
import { CLASS_LABELS } from "./explain";

type FhirInput = {
  analysis: Analysis;
  patientName: string;
  imageJpeg: Uint8Array;
  baseUrl: string;
};

/**
 * FHIR R4 DiagnosticReport (status preliminary: no clinician has reviewed it) with one
 * contained Observation per class probability and the smear as contained Media, so a clinic
 * system can import the whole report from one file.
 */
export function analysisToFhir({ analysis, patientName, imageJpeg, baseUrl }: FhirInput) {
  const issued = analysis.createdAt.toISOString();
  const observations = CLASS_IDS.map((id) => ({
    resourceType: "Observation",
    id: `probability-${id.replaceAll("_", "-")}`,
    status: "preliminary",
    code: { text: `Model probability: ${CLASS_LABELS[id]}` },
    subject: { reference: "#patient" },
    effectiveDateTime: issued,
    valueQuantity: {
      value: Number(analysis.probabilities[id].toFixed(4)),
      unit: "probability",
      system: "http://unitsofmeasure.org",
      code: "1",
    },
    method: { text: `HemaLink staging model ${analysis.modelVersion}` },
  }));
  const conclusion =
    analysis.verdict === "cant_assess"
      ? `Image could not be assessed: ${analysis.reasons.join("; ")}`
      : `Model output (not a diagnosis): resembles ${CLASS_LABELS[analysis.topClass]} (${analysis.confidence} confidence).`;
  return {
    resourceType: "DiagnosticReport",
    id: analysis.id,
    meta: { source: `${baseUrl}/analyses/${analysis.id}` },
    contained: [
      { resourceType: "Patient", id: "patient", name: [{ text: patientName }] },
      ...observations,
      {
        resourceType: "Media",
        id: "smear",
        status: "completed",
        subject: { reference: "#patient" },
        content: {
          contentType: "image/jpeg",
          data: Buffer.from(imageJpeg).toString("base64"),
          title: "Peripheral blood smear (re-encoded upload)",
        },
      },
    ],
    status: "preliminary",
    category: [
      {
        coding: [
          {
            system: "http://terminology.hl7.org/CodeSystem/v2-0074",
            code: "HM",
            display: "Hematology",
          },
        ],
      },
    ],
    code: { text: "Peripheral blood smear: B-ALL staging (machine learning, informational)" },
    subject: { reference: "#patient", display: patientName },
    issued,
    result: observations.map((o) => ({ reference: `#${o.id}` })),
    media: [{ comment: "Smear image", link: { reference: "#smear" } }],
    conclusion,
  };
}
