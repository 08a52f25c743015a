import { createElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { vi } from "vitest";
import type * as RemixReact from "@remix-run/react";
import ClinicReportPage, { loader } from "~/routes/doctor.records.$id.report";
import { decided, doctorWithPatient, getArgs, insertClinicRecord } from "../clinic/helpers";

// The page reads its data through useLoaderData; hand it what the loader returned.
const loaderData = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => loaderData.current,
  Link: ({ to, children }: { to: string; children: ReactNode }) =>
    createElement("a", { href: to }, children),
}));

async function render(doctor: { id: string }, consultationId: string) {
  loaderData.current = await loader(
    await getArgs(doctor, `/doctor/records/${consultationId}/report`, { id: consultationId }),
  );
  return renderToStaticMarkup(createElement(ClinicReportPage));
}

describe("the clinic record's printable report (the shared report body)", () => {
  test("a decided record reads final, with the clinic's words, the signature and the FHIR link", async () => {
    const { doctor, profile, patient } = await doctorWithPatient({ birthDate: "2016-04-01" });
    const { consultation } = await insertClinicRecord(
      { profileId: profile.id, patient },
      { topClass: "pre_b" },
      decided("pre_b"),
    );
    const html = await render(doctor, consultation.id);
    expect(html).toContain(`<a href="/doctor/cases/${consultation.id}">← Back to the record</a>`);
    expect(html).toContain("<strong>Final — decided by the hematologist</strong>");
    expect(html).toContain(`<dt>Patient</dt><dd>${patient.name}</dd>`);
    expect(html).toContain("<dt>Date of birth</dt><dd>2016-04-01</dd>");
    expect(html).toContain("<dt>Final class</dt><dd>Pre-B ALL</dd>");
    expect(html).toMatch(/<dt>Model output<\/dt><dd>Pre-B ALL \(\w+ confidence\)<\/dd>/);
    // The clinic's order: what was seen, then what to do; then the practitioner's signature.
    expect(html.indexOf("<h3>Morphology</h3>")).toBeLessThan(
      html.indexOf("<h3>Recommendations</h3>"),
    );
    expect(html).toContain('<p class="prewrap">Flow cytometry this week.</p>');
    expect(html).toMatch(/Signed: <strong>Test doctor \d+<\/strong>, \w{3}, \d{2} \w{3} \d{4}/);
    expect(html).toContain("<h2>Model output (decision support, not a diagnosis): Pre-B ALL</h2>");
    expect(html).not.toContain("Preliminary — informational");
    expect(html).toContain(`src="/doctor/cases/${consultation.id}/image/heatmap"`);
    expect(html).toContain(`<a href="/doctor/records/${consultation.id}/fhir">FHIR export</a>`);
  });

  test("a record without a decision is preliminary, with the notice and no answer", async () => {
    const { doctor, profile, patient } = await doctorWithPatient();
    const { consultation } = await insertClinicRecord({ profileId: profile.id, patient });
    const html = await render(doctor, consultation.id);
    expect(html).toContain("<strong>Preliminary — no decision yet</strong>");
    expect(html).toContain("Preliminary — informational, not a diagnosis");
    expect(html).not.toContain("Final class");
    expect(html).not.toContain("Signed:");
  });
});
