import type { Analysis } from "#db/schema";
import type { FinalReview } from "~/consultations/final.server";
import { DOCTOR_CLASS_LABELS, URGENCY_LABELS } from "~/consultations/vocabulary";
import { doctorName } from "~/doctors/vocabulary";
import { captureRows, refusalReasons } from "./capture";
import { CLASS_IDS, CLASS_LABELS } from "./vocabulary";

type FhirInput = {
  analysis: Analysis;
  patientName: string;
  baseUrl: string;
  /** The smear: its bytes inline, or where it is beside the report (the data export's zip). */
  imageJpeg?: Uint8Array;
  imageUrl?: string;
  /** The hematologist's answer to a consultation on this analysis, if any: makes it final. */
  final?: FinalReview | null;
  /** What a clinic knows of the patient beyond the name (a doctor's clinic record). */
  patient?: {
    identifier: { system: string; value: string };
    birthDate: string;
    gender: "female" | "male" | "other" | "unknown";
  };
};

type Reference = { reference: string; display?: string };

/** The head of each Observation in the bundle: its id, status and name, about the patient. */
const observation = (
  id: string,
  status: "preliminary" | "final",
  text: string,
  effectiveDateTime: string,
) => ({
  resourceType: "Observation",
  id,
  status,
  code: { text },
  subject: { reference: "#patient" },
  effectiveDateTime,
});

/**
 * FHIR R4 DiagnosticReport with one contained Observation per class probability and the
 * smear as contained Media, so a clinic system can import the whole report from one file.
 *
 * Without a final review the report is "preliminary": no clinician has reviewed it. With
 * one it is "final", performed and interpreted by the hematologist (a contained
 * Practitioner), issued when they answered, with their assessment as its own Observation.
 */
export function analysisToFhir({
  analysis,
  patientName,
  imageJpeg,
  imageUrl,
  baseUrl,
  final,
  patient,
}: FhirInput) {
  const created = analysis.createdAt.toISOString();
  const observations = CLASS_IDS.map((id) => ({
    // Stays "preliminary" in a final report too. R4 does not require a final report's
    // results to be final, and the hematologist gave their own assessment (the Observation
    // below) rather than verifying these numbers: marking them "final" would tell a
    // receiving system a clinician confirmed the model's output.
    ...observation(
      `probability-${id.replaceAll("_", "-")}`,
      "preliminary",
      `Model probability: ${CLASS_LABELS[id]}`,
      created,
    ),
    valueQuantity: {
      value: Number(analysis.probabilities[id].toFixed(4)),
      unit: "probability",
      system: "http://unitsofmeasure.org",
      code: "1",
    },
    method: { text: `HemaLink staging model ${analysis.modelVersion}` },
  }));
  const modelConclusion =
    analysis.verdict === "cant_assess"
      ? `Image could not be assessed: ${refusalReasons(analysis.reasons)
          .map((r) => r.reason)
          .join(" ")}`
      : `Model output (not a diagnosis): resembles ${CLASS_LABELS[analysis.topClass]} (${analysis.confidence} confidence).`;
  const measured = captureRows(analysis.capture);
  const captureObservation = measured.length
    ? [
        {
          ...observation(
            "capture",
            "final",
            "Image capture measurements (HemaLink capture normalisation)",
            created,
          ),
          component: measured.map((row) => ({
            code: { text: row.label },
            ...(row.number === undefined
              ? { valueString: row.value }
              : { valueQuantity: { value: row.number, ...(row.unit ? { unit: row.unit } : {}) } }),
          })),
        },
      ]
    : [];
  const review = final ? finalParts(final, created, baseUrl) : null;
  // Absent (not undefined) without a review, so the preliminary export stays as it was.
  const timing: {
    effectiveDateTime?: string;
    issued: string;
    performer?: Reference[];
    resultsInterpreter?: Reference[];
  } = review
    ? {
        effectiveDateTime: created,
        issued: review.answered,
        performer: [review.byPractitioner],
        resultsInterpreter: [review.byPractitioner],
      }
    : { issued: created };
  return {
    resourceType: "DiagnosticReport",
    id: analysis.id,
    meta: { source: `${baseUrl}/analyses/${analysis.id}` },
    contained: [
      {
        resourceType: "Patient",
        id: "patient",
        ...(patient ? { identifier: [patient.identifier] } : {}),
        name: [{ text: patientName }],
        ...(patient ? { gender: patient.gender, birthDate: patient.birthDate } : {}),
      },
      ...observations,
      ...captureObservation,
      {
        resourceType: "Media",
        id: "smear",
        status: "completed",
        subject: { reference: "#patient" },
        content: {
          contentType: "image/jpeg",
          data: imageUrl
            ? undefined
            : Buffer.from(imageJpeg ?? new Uint8Array()).toString("base64"),
          url: imageUrl,
          title: "Peripheral blood smear (re-encoded upload)",
        },
      },
      ...(review ? [review.practitioner, review.assessment] : []),
    ],
    status: review ? "final" : "preliminary",
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
    code: {
      text: review
        ? "Peripheral blood smear: B-ALL staging, reviewed by a hematologist"
        : "Peripheral blood smear: B-ALL staging (machine learning, informational)",
    },
    subject: { reference: "#patient", display: patientName },
    ...timing,
    result: [
      ...(review ? [{ reference: `#${review.assessment.id}` }] : []),
      ...observations.map((o) => ({ reference: `#${o.id}` })),
      ...captureObservation.map((o) => ({ reference: `#${o.id}` })),
    ],
    media: [{ comment: "Smear image", link: { reference: "#smear" } }],
    conclusion: review
      ? `${review.conclusion} ${modelConclusion} Model version ${analysis.modelVersion}.`
      : modelConclusion,
  };
}

/**
 * The code system of the hematologist's answers: this installation's own (its ids and labels
 * from the consultations' vocabulary). Their answer is a reading of one smear photo, not a
 * diagnosis, so it is not coded as a disorder (decision 046).
 */
export const assessmentCodeSystem = (baseUrl: string) =>
  `${baseUrl}/fhir/CodeSystem/hematologist-assessment`;

/** The contained Practitioner, the hematologist's Observation and their words. */
function finalParts(final: FinalReview, effective: string, baseUrl: string) {
  const name = doctorName(final.doctorTitle, final.doctorName);
  const answered = final.answeredAt.toISOString();
  const assessment = DOCTOR_CLASS_LABELS[final.doctorClass];
  const urgency = URGENCY_LABELS[final.urgency];
  const byPractitioner = { reference: "#practitioner", display: name };
  const practitioner = {
    resourceType: "Practitioner",
    id: "practitioner",
    ...(final.licenceNumber
      ? {
          identifier: [
            {
              type: {
                coding: [
                  {
                    system: "http://terminology.hl7.org/CodeSystem/v2-0203",
                    code: "MD",
                    display: "Medical License number",
                  },
                ],
              },
              value: final.licenceNumber,
            },
          ],
        }
      : {}),
    name: [{ text: name }],
  };
  const note = (text: string) => ({ authorReference: byPractitioner, time: answered, text });
  return {
    name,
    answered,
    byPractitioner,
    practitioner,
    assessment: {
      ...observation("hematologist-assessment", "final", "Hematologist assessment", effective),
      issued: answered,
      performer: [byPractitioner],
      valueCodeableConcept: {
        coding: [
          { system: assessmentCodeSystem(baseUrl), code: final.doctorClass, display: assessment },
        ],
        text: assessment,
      },
      note: [
        ...(final.morphology ? [note(`Morphology: ${final.morphology}`)] : []),
        note(`Urgency: ${urgency}`),
        ...(final.recommendations ? [note(`Advice to the patient: ${final.recommendations}`)] : []),
      ],
      derivedFrom: [{ reference: "#smear" }],
    },
    conclusion:
      `Hematologist's assessment (${name}): ${assessment}.` +
      (final.morphology ? ` Morphology: ${final.morphology}` : "") +
      ` Urgency: ${urgency}.` +
      (final.recommendations ? ` Advice to the patient: ${final.recommendations}` : ""),
  };
}
