import { analysisToFhir } from "~/analyses/fhir";
import { explainAnalysis } from "~/analyses/explain";
import type { Analysis } from "#db/schema";
import type { FinalReview } from "~/consultations/final.server";

const analysis: Analysis = {
  id: "a1",
  patientId: "p1",
  imageKey: "k".repeat(24),
  sha256: "0".repeat(64),
  modelVersion: "v-test",
  capture: null,
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

describe("FHIR export after a hematologist's answer", () => {
  const final: FinalReview = {
    consultationId: "c1",
    doctorProfileId: "d1",
    doctorName: "Amira Haddad",
    doctorTitle: "Dr",
    licenceNumber: "RPPS 10001234567",
    doctorClass: "early_pre_b",
    morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
    recommendations: "Flow cytometry of peripheral blood.\nSee me in clinic within a week.",
    urgency: "soon",
    answeredAt: new Date("2026-11-03T09:30:00Z"),
  };
  const report = analysisToFhir({
    analysis,
    patientName: "Ada",
    imageJpeg: Buffer.from([0xff, 0xd8, 0xff]),
    baseUrl: "https://hemalink.example",
    final,
  });
  const contained = (ref: string) => report.contained.find((r) => `#${r.id}` === ref);

  test("is final, issued when the hematologist answered, performed by a contained Practitioner", () => {
    expect(report.status).toBe("final");
    expect(report.issued).toBe("2026-11-03T09:30:00.000Z");
    expect(report.performer).toEqual([{ reference: "#practitioner", display: "Dr Amira Haddad" }]);
    expect(report.resultsInterpreter).toEqual(report.performer);
    const practitioner = contained(report.performer![0].reference);
    expect(practitioner).toMatchObject({
      resourceType: "Practitioner",
      id: "practitioner",
      name: [{ text: "Dr Amira Haddad" }],
      identifier: [{ value: "RPPS 10001234567" }],
    });
  });

  test("every reference resolves to a contained resource with a unique id", () => {
    const ids = report.contained.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const references = JSON.stringify(report).match(/"reference":"#[^"]+"/g) ?? [];
    expect(references.length).toBeGreaterThan(0);
    for (const r of references) {
      expect(contained(r.slice('"reference":"'.length, -1))).toBeDefined();
    }
  });

  test("adds the hematologist's assessment as a final Observation; the model's stay preliminary", () => {
    const assessment = contained("#hematologist-assessment");
    expect(assessment).toMatchObject({
      resourceType: "Observation",
      status: "final",
      code: { text: "Hematologist assessment" },
      valueCodeableConcept: { text: "Early pre-B ALL" },
      performer: [{ reference: "#practitioner" }],
    });
    expect(
      assessment && "valueCodeableConcept" in assessment
        ? assessment.valueCodeableConcept.coding
        : [],
    ).toEqual([
      {
        system: "https://hemalink.example/fhir/CodeSystem/hematologist-assessment",
        code: "early_pre_b",
        display: "Early pre-B ALL",
      },
    ]);
    // What the doctor saw, the urgency and the advice to the patient, each its own note.
    expect(assessment && "note" in assessment ? assessment.note.map((n) => n.text) : []).toEqual([
      "Morphology: Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      "Urgency: Soon (within days)",
      "Advice to the patient: Flow cytometry of peripheral blood.\nSee me in clinic within a week.",
    ]);
    expect(report.result.map((r) => r.reference)).toContain("#hematologist-assessment");
    expect(report.result).toHaveLength(5);
    const model = report.contained.filter((r) => r.id.startsWith("probability-"));
    expect(model.map((r) => ("status" in r ? r.status : ""))).toEqual(Array(4).fill("preliminary"));
  });

  test("the conclusion states both classes, urgency, recommendations and the model version", () => {
    expect(report.conclusion).toContain(
      "Hematologist's assessment (Dr Amira Haddad): Early pre-B ALL",
    );
    expect(report.conclusion).toContain("Urgency: Soon");
    expect(report.conclusion).toContain("See me in clinic within a week.");
    expect(report.conclusion).toContain(
      "Morphology: Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
    );
    expect(report.conclusion).toMatch(/Model output \(not a diagnosis\): resembles Pre-B ALL/);
    expect(report.conclusion).toContain("v-test");
  });

  test("not assessable reads as needing a laboratory test; no licence, no identifier", () => {
    const other = analysisToFhir({
      analysis,
      patientName: "Ada",
      imageJpeg: Buffer.from([0xff, 0xd8, 0xff]),
      baseUrl: "https://hemalink.example",
      final: { ...final, doctorClass: "not_assessable", licenceNumber: null, doctorTitle: null },
    });
    expect(other.conclusion).toContain("Not assessable — needs a laboratory test");
    const practitioner = other.contained.find((r) => r.id === "practitioner");
    expect(practitioner).toMatchObject({ name: [{ text: "Amira Haddad" }] });
    expect(practitioner && "identifier" in practitioner).toBe(false);
  });

  test("an answer beyond the four classes: its label and code, the morphology leads the conclusion", () => {
    const other = analysisToFhir({
      analysis,
      patientName: "Ada",
      imageJpeg: Buffer.from([0xff, 0xd8, 0xff]),
      baseUrl: "https://hemalink.example",
      final: {
        ...final,
        doctorClass: "other_leukaemia_suspected",
        morphology: "Myeloblasts with Auer rods.",
      },
    });
    const assessment = other.contained.find((r) => r.id === "hematologist-assessment");
    expect(assessment).toMatchObject({
      valueCodeableConcept: {
        coding: [{ code: "other_leukaemia_suspected" }],
        text: "Other leukaemia suspected (e.g. AML, CLL)",
      },
    });
    expect(other.conclusion).toMatch(
      /^Hematologist's assessment \(Dr Amira Haddad\): Other leukaemia suspected \(e\.g\. AML, CLL\)\. Morphology: Myeloblasts with Auer rods\. Urgency: Soon \(within days\)\. Advice to the patient: Flow cytometry/,
    );
  });

  test("an answer given before the morphology was asked for has no morphology note", () => {
    const older = analysisToFhir({
      analysis,
      patientName: "Ada",
      imageJpeg: Buffer.from([0xff, 0xd8, 0xff]),
      baseUrl: "https://hemalink.example",
      final: { ...final, morphology: "" },
    });
    const assessment = older.contained.find((r) => r.id === "hematologist-assessment");
    expect(assessment && "note" in assessment ? assessment.note.map((n) => n.text) : []).toEqual([
      "Urgency: Soon (within days)",
      "Advice to the patient: Flow cytometry of peripheral blood.\nSee me in clinic within a week.",
    ]);
    expect(older.conclusion).not.toContain("Morphology");
  });

  test("without a review the export is unchanged: preliminary, no performer", () => {
    const plain = analysisToFhir({
      analysis,
      patientName: "Ada",
      imageJpeg: Buffer.from([0xff, 0xd8, 0xff]),
      baseUrl: "https://hemalink.example",
      final: null,
    });
    expect(plain.status).toBe("preliminary");
    expect(plain).not.toHaveProperty("performer");
    expect(plain.issued).toBe("2026-11-01T10:00:00.000Z");
    expect(plain.contained.map((r) => r.resourceType)).not.toContain("Practitioner");
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

describe("FHIR export of what the capture normalisation measured", () => {
  const measured = analysisToFhir({
    analysis: {
      ...analysis,
      verdict: "cant_assess",
      reasons: ["magnification"],
      capture: {
        redCellDiameter: 88.5,
        redCellSpread: 0.4,
        redCells: 17,
        whiteCells: 1,
        backgroundFraction: 0.5,
        stainedFraction: 0.98,
        roundFraction: 0.9,
        field: "full",
        scale: 0.19,
        focus: 0.28,
        tiles: 1,
        fieldWidth: 119,
        fieldHeight: 77,
        coverage: 0.55,
        backgroundLuma: 210,
        featureDistance: 3.1,
      },
    },
    patientName: "Ada",
    imageJpeg: Buffer.from([0xff, 0xd8, 0xff]),
    baseUrl: "https://hemalink.example",
  });

  test("adds one Observation with a component per measure, and the refusal in words", () => {
    const capture = measured.contained.find((r) => r.id === "capture") as unknown as {
      component: { code: { text: string }; valueQuantity?: { value: number } }[];
    };
    expect(capture).toBeDefined();
    const size = capture.component.find((c) => c.code.text === "Red-cell size");
    expect(size?.valueQuantity?.value).toBe(88.5);
    expect(measured.result.some((r) => r.reference === "#capture")).toBe(true);
    expect(measured.conclusion).toMatch(/magnification is outside what the model knows/);
  });
});
