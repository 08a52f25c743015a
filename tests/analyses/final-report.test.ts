import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { vi } from "vitest";
import type * as RemixReact from "@remix-run/react";
import { createAnalysis } from "~/analyses/create.server";
import {
  acceptRequest,
  answerConsultation,
  revokeAccess,
  shareAnalysis,
} from "~/consultations/lifecycle.server";
import { loader as fhirLoader } from "~/routes/analyses.$id.fhir";
import ReportPage, { loader as reportLoader } from "~/routes/analyses.$id_.report";
import { getArgs, makeCertifiedDoctor, makeUser, thrownResponse } from "../helpers";
import { smearLikeImage } from "../uploads/images";
import { fixedClassifier } from "./fixtures";

// The page reads its data through useLoaderData; hand it what the loader returned.
const loaderData = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => loaderData.current,
}));

type Patient = Awaited<ReturnType<typeof makeUser>>;

async function patientWithAnalysis() {
  const patient = await makeUser("patient");
  const analysis = await createAnalysis(
    patient,
    { bytes: await smearLikeImage() },
    fixedClassifier,
  );
  return { patient, analysis };
}

async function answeredBy(
  patient: Patient,
  analysisId: string,
  answer: Parameters<typeof answerConsultation>[2],
) {
  const { user: doctor, profile } = await makeCertifiedDoctor({
    offersTeleconsultation: true,
    title: "Dr",
    licenceNumber: "RPPS 10001234567",
  });
  const c = await shareAnalysis(patient, analysisId, {
    doctorProfileId: profile.id,
    message: "The model says pre-B; what should we do next?",
    consent: true,
  });
  await acceptRequest(doctor, c.id);
  await answerConsultation(doctor, c.id, answer);
  return { doctor, consultationId: c.id };
}

const answer = {
  doctorClass: "early_pre_b",
  morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
  recommendations: "Flow cytometry of peripheral blood.\nSee me in clinic within a week.",
  urgency: "urgent",
} as const;

const args = (user: { id: string }, analysisId: string, path = "") =>
  getArgs(user, `/analyses/${analysisId}${path}`, { id: analysisId });

async function fhirOf(user: { id: string }, analysisId: string) {
  const response = await fhirLoader(await args(user, analysisId, "/fhir"));
  return response.json();
}

async function renderReport(user: { id: string }, analysisId: string) {
  loaderData.current = await reportLoader(await args(user, analysisId, "/report"));
  return renderToStaticMarkup(createElement(ReportPage));
}

describe("report and FHIR export after a consultation", () => {
  test("an answered consultation makes both final, with the hematologist as performer", async () => {
    const { patient, analysis } = await patientWithAnalysis();
    const { doctor } = await answeredBy(patient, analysis.id, answer);

    const data = await reportLoader(await args(patient, analysis.id, "/report"));
    expect(data.review).toMatchObject({
      reviewer: `Dr ${doctor.displayName}`,
      licenceNumber: "RPPS 10001234567",
      assessment: "Early pre-B ALL",
      urgency: "Urgent (today)",
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: answer.recommendations,
    });

    const fhir = await fhirOf(patient, analysis.id);
    expect(fhir.status).toBe("final");
    expect(fhir.performer).toEqual([
      { reference: "#practitioner", display: `Dr ${doctor.displayName}` },
    ]);
    expect(fhir.contained).toContainEqual(
      expect.objectContaining({ resourceType: "Practitioner", id: "practitioner" }),
    );
    expect(fhir.conclusion).toContain("Early pre-B ALL");
    expect(fhir.conclusion).toContain("Pre-B ALL (high confidence)");
  });

  test("the printable page shows both classes, labelled, and keeps the model notice", async () => {
    const { patient, analysis } = await patientWithAnalysis();
    const { doctor } = await answeredBy(patient, analysis.id, answer);
    const html = await renderReport(patient, analysis.id);
    expect(html).toMatch(
      new RegExp(`Final — reviewed by Dr ${doctor.displayName} on \\d+ \\w+ \\d{4}`),
    );
    expect(html).toContain("<dt>Hematologist&#x27;s assessment</dt><dd>Early pre-B ALL</dd>");
    expect(html).toContain("<dt>Model output</dt><dd>Pre-B ALL (high confidence)</dd>");
    expect(html).toContain("<dt>Urgency</dt><dd>Urgent (today)</dd>");
    expect(html).toContain(
      '<p class="prewrap">Flow cytometry of peripheral blood.\nSee me in clinic within a week.</p>',
    );
    // The advice to the patient and, apart from it, what the hematologist saw.
    expect(html).toContain("<h3>Advice to the patient</h3>");
    expect(html).toContain(
      '<h3>Morphology — what the hematologist saw</h3><p class="prewrap">Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.</p>',
    );
    expect(html.indexOf("Advice to the patient")).toBeLessThan(html.indexOf("Morphology —"));
    expect(html).toMatch(/not a diagnosis/);
    expect(html).not.toMatch(/Preliminary/);
  });

  test("recommendations are text, never markup", async () => {
    const { patient, analysis } = await patientWithAnalysis();
    await answeredBy(patient, analysis.id, {
      ...answer,
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: "<img src=x onerror=alert(1)> see me",
    });
    const html = await renderReport(patient, analysis.id);
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt; see me");
  });

  test("not assessable reads as needing a laboratory test", async () => {
    const { patient, analysis } = await patientWithAnalysis();
    await answeredBy(patient, analysis.id, { ...answer, doctorClass: "not_assessable" });
    const html = await renderReport(patient, analysis.id);
    expect(html).toContain("Not assessable — needs a laboratory test");
    const fhir = await fhirOf(patient, analysis.id);
    expect(fhir.conclusion).toContain("Not assessable — needs a laboratory test");
  });

  test("a request not yet answered leaves both preliminary, as before", async () => {
    const { patient, analysis } = await patientWithAnalysis();
    const { profile } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    await shareAnalysis(patient, analysis.id, {
      doctorProfileId: profile.id,
      message: "The model says pre-B; what should we do next?",
      consent: true,
    });

    const data = await reportLoader(await args(patient, analysis.id, "/report"));
    expect(data.review).toBeNull();
    const html = await renderReport(patient, analysis.id);
    expect(html).toMatch(/Preliminary — informational, not a diagnosis/);
    expect(html).not.toMatch(/Final —|Hematologist&#x27;s assessment/);

    const fhir = await fhirOf(patient, analysis.id);
    expect(fhir.status).toBe("preliminary");
    expect(fhir).not.toHaveProperty("performer");
    expect(fhir.contained.map((r: { resourceType: string }) => r.resourceType)).not.toContain(
      "Practitioner",
    );
  });

  test("revoking the doctor's access afterwards does not unmake the review", async () => {
    const { patient, analysis } = await patientWithAnalysis();
    const { consultationId } = await answeredBy(patient, analysis.id, answer);
    await revokeAccess(patient, consultationId);
    expect((await fhirOf(patient, analysis.id)).status).toBe("final");
  });

  test("another patient, and the reviewing doctor, get 404 from both", async () => {
    const { patient, analysis } = await patientWithAnalysis();
    const { doctor } = await answeredBy(patient, analysis.id, answer);
    const stranger = await makeUser("patient");
    for (const user of [stranger, doctor]) {
      const report = await thrownResponse(reportLoader(await args(user, analysis.id, "/report")));
      expect(report.status).toBe(404);
      const fhir = await thrownResponse(fhirLoader(await args(user, analysis.id, "/fhir")));
      expect(fhir.status).toBe(404);
    }
  });
});
