import { analysisToFhir } from "~/analyses/fhir";
import { explainAnalysis } from "~/analyses/explain";
import type { Analysis } from "#db/schema";

const analysis: Analysis = {
  id: "a1",
  patientId: "p1",
  imageKey: "k".repeat(24),
  sha256: "0".repeat(64),
  modelVersion: "v-test",
  verdict: "ok",
  reasons: [],
  probabilities: { benign: 0.1, early_pre_b: 0.2, pre_b: 0.6, pro_b: 0.1 },
  topClass: "pre_b",
  confidence: "moderate",
  ageBracket: null,
  note: null,
  createdAt: new Date("2026-11-01T10:00:00Z"),
};

describe("FHIR export", () => {
  const report = analysisToFhir({
    analysis,
    patientName: "Ada",
    imageJpeg: Buffer.from([0xff, 0xd8, 0xff]),
    baseUrl: "https://hemalink.example",
  });

  test("is a preliminary DiagnosticReport with one Observation per class", () => {
    expect(report.resourceType).toBe("DiagnosticReport");
    expect(report.status).toBe("preliminary");
    const observations = report.contained.filter((r) => r.resourceType === "Observation");
    expect(observations).toHaveLength(4);
    expect(report.result).toHaveLength(4);
    for (const ref of report.result) {
      expect(report.contained.some((r) => `#${r.id}` === ref.reference)).toBe(true);
    }
  });

  test("carries the probabilities and the image", () => {
    const values = report.contained.flatMap((r) =>
      "valueQuantity" in r ? [r.valueQuantity.value] : [],
    );
    expect(values).toEqual([0.1, 0.2, 0.6, 0.1]);
    const media = report.contained.find((r) => r.resourceType === "Media");
    expect(media && "content" in media ? media.content?.data : undefined).toBe("/9j/");
    expect(report.conclusion).toMatch(/not a diagnosis/);
  });
});

describe("plain-language explanation", () => {
  test("benign asks to discuss with the doctor", () => {
    expect(explainAnalysis({ verdict: "ok", topClass: "benign" }).nextStep).toMatch(
      /No leukemic blasts of these types were recognised/,
    );
  });

  test("malignant stages ask to see a hematologist promptly", () => {
    const text = explainAnalysis({ verdict: "ok", topClass: "pro_b" });
    expect(text.malignant).toBe(true);
    expect(text.nextStep).toMatch(/resembles Pro-B ALL.*see a hematologist promptly/);
  });

  test("can't assess shows no stage", () => {
    const text = explainAnalysis({ verdict: "cant_assess", topClass: "pro_b" });
    expect(text.headline).not.toMatch(/ALL/);
  });
});
