import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { issueInvitation } from "~/clinic/invitations.server";
import { getClinicPatient } from "~/clinic/patients.server";
import { INVITATION_VALID_DAYS, SEX_LABELS } from "~/clinic/vocabulary";
import { StatusBadge } from "~/components/consultation";
import { formMessage, replyTo } from "~/components/forms";
import { DOCTOR_CLASS_LABELS } from "~/consultations/vocabulary";
import { handleAction, handleLoader, step } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Patient record · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const { patient, records } = await getClinicPatient(user, params.id ?? "");
    return {
      patient: {
        id: patient.id,
        clinicRef: patient.clinicRef,
        name: patient.name,
        birthDate: patient.birthDate,
        sex: patient.sex,
        contact: patient.contact,
        claimedAt: patient.claimedAt?.toISOString() ?? null,
      },
      records: records.map((r) => ({
        ...r,
        createdAt: r.createdAt.toISOString(),
        answeredAt: r.answeredAt?.toISOString() ?? null,
      })),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    intents: {
      invite: step(async ({ user, params }) => {
        const { link, expiresAt } = await issueInvitation(user, params.id ?? "");
        return { invitation: { link, expiresAt: expiresAt.toISOString() } };
      }),
    },
  });
}

export default function ClinicPatientPage() {
  const { patient, records } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const invitation = result && "invitation" in result ? result.invitation : null;
  const refused = formMessage(replyTo(result, "invite"));
  return (
    <section className="panel">
      <p>
        <Link to="/doctor/patients">← My patients</Link>
      </p>
      <h1>{patient.name}</h1>
      <dl>
        <dt>Clinic patient ID</dt>
        <dd>{patient.clinicRef}</dd>
        <dt>Date of birth</dt>
        <dd>
          <time dateTime={patient.birthDate}>{patient.birthDate}</time>
        </dd>
        <dt>Sex</dt>
        <dd>{SEX_LABELS[patient.sex]}</dd>
        {patient.contact && (
          <>
            <dt>Contact</dt>
            <dd className="prewrap">{patient.contact}</dd>
          </>
        )}
      </dl>
      <p>
        <Link className="button" to={`/doctor/patients/${patient.id}/analyses/new`}>
          Analyse a smear for this patient
        </Link>
      </p>
      <h2>Records</h2>
      {records.length === 0 ? (
        <p>No analysis yet.</p>
      ) : (
        <ul className="history" aria-label="Records">
          {records.map((r) => (
            <li key={r.consultationId} className="card">
              <Link to={`/doctor/cases/${r.consultationId}`}>
                <time dateTime={r.createdAt}>{r.createdAt.slice(0, 10)}</time>
              </Link>{" "}
              <StatusBadge status={r.status} />
              <br />
              Model: {r.verdict === "ok" ? CLASS_LABELS[r.topClass] : "Can't assess"}
              {r.doctorClass && <> · Your decision: {DOCTOR_CLASS_LABELS[r.doctorClass]}</>}
              {r.doctorClass && (
                <>
                  {" "}
                  · <Link to={`/doctor/records/${r.consultationId}/report`}>Report</Link>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2>The patient’s own account</h2>
      {patient.claimedAt ? (
        <p>
          The patient claimed these records on{" "}
          <time dateTime={patient.claimedAt}>{patient.claimedAt.slice(0, 10)}</time>: they are in
          their own history, and they decide who sees them.
        </p>
      ) : (
        <>
          <p>
            Invite the patient to see these records in their own HemaLink account. The link works
            once, for {INVITATION_VALID_DAYS} days; a new link replaces the previous one. Once they
            claim them, the records are theirs: they can end your access as with any shared case.
          </p>
          {refused && (
            <p role="alert" className="error">
              {refused}
            </p>
          )}
          {invitation ? (
            <div role="status" className="notice">
              <label htmlFor="invitation-link">Give this link to the patient:</label>
              <input
                id="invitation-link"
                type="text"
                readOnly
                value={invitation.link}
                onFocus={(event) => event.currentTarget.select()}
                style={{ width: "100%" }}
              />
              <p>Valid until {invitation.expiresAt.slice(0, 10)}.</p>
            </div>
          ) : (
            <Form method="post">
              <button type="submit" name="intent" value="invite" className="secondary">
                Create an invitation link
              </button>
            </Form>
          )}
        </>
      )}
    </section>
  );
}
