import { createElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { vi } from "vitest";
import type * as RemixReact from "@remix-run/react";
import { issueInvitation } from "~/clinic/invitations.server";
import InvitationPage, { loader as invitationLoader } from "~/routes/clinic.invitations.$token";
import DoctorCasePage, { loader } from "~/routes/doctor.cases.$id";
import { makeUser } from "../helpers";
import { decided, doctorWithPatient, getArgs, insertClinicRecord } from "./helpers";

// The pages read their data through useLoaderData; hand it what the loader returned. Links and
// forms render as their plain elements (no router here).
const loaderData = vi.hoisted(() => ({ current: undefined as unknown }));
vi.mock("@remix-run/react", async (original) => ({
  ...(await original<typeof RemixReact>()),
  useLoaderData: () => loaderData.current,
  useActionData: () => undefined,
  Link: ({ to, children }: { to: string; children: ReactNode }) =>
    createElement("a", { href: to }, children),
  Form: ({ children, ...props }: { children: ReactNode }) => createElement("form", props, children),
}));

async function render(doctor: { id: string }, consultationId: string) {
  loaderData.current = await loader(
    await getArgs(doctor, `/doctor/cases/${consultationId}`, { id: consultationId }),
  );
  return renderToStaticMarkup(createElement(DoctorCasePage));
}

async function renderInvitation(user: { id: string } | null, token: string) {
  loaderData.current = await invitationLoader(
    await getArgs(user, `/clinic/invitations/${token}`, { token }),
  );
  return renderToStaticMarkup(createElement(InvitationPage));
}

async function recordIn(decision: Parameters<typeof insertClinicRecord>[2]) {
  const { doctor, profile, patient } = await doctorWithPatient();
  const { consultation } = await insertClinicRecord(
    { profileId: profile.id, patient },
    { topClass: "pre_b" },
    decision,
  );
  return { html: await render(doctor, consultation.id), id: consultation.id };
}

describe("the doctor's page of a clinic record, by status", () => {
  test.each(["answered", "closed"] as const)(
    "%s: the assessment and the signed report, no answer form",
    async (status) => {
      const { html, id } = await recordIn({
        ...decided("early_pre_b"),
        ...(status === "closed" ? { status, closedAt: new Date() } : {}),
      });
      expect(html).toMatch(/<h2 id="assessment-heading">Final — reviewed by /);
      expect(html).toContain(`<a href="/doctor/records/${id}/report">Signed report (print)</a>`);
      expect(html).toContain(`href="/doctor/records/${id}/fhir"`);
      expect(html).not.toContain("Send my assessment");
    },
  );

  test("accepted, not yet decided: the answer form, no assessment and no report", async () => {
    const { html } = await recordIn({});
    expect(html).toContain("Send my assessment");
    expect(html).not.toContain("assessment-heading");
    expect(html).not.toContain("Signed report (print)");
  });
});

describe("the invitation page, by who is signed in", () => {
  test("a patient is offered the claim; a doctor or an admin is told to log out; a visitor to sign up", async () => {
    const { doctor, patient } = await doctorWithPatient();
    const token = (await issueInvitation(doctor, patient.id)).link.split("/").pop()!;
    const claim = "Add these records to my account";

    const asPatient = await renderInvitation(await makeUser("patient"), token);
    expect(asPatient).toContain(claim);
    expect(asPatient).not.toContain("log out");

    for (const other of [doctor, await makeUser("admin")]) {
      const html = await renderInvitation(other, token);
      expect(html).not.toContain(claim);
      expect(html).toContain('<a href="/logout">log out</a>');
    }

    const visitor = await renderInvitation(null, token);
    expect(visitor).not.toContain(claim);
    expect(visitor).toContain("Create my account");
  });
});
