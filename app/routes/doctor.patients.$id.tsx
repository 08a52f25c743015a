import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { getFormProps } from "@conform-to/react";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { issueInvitation } from "~/clinic/invitations.server";
import { getClinicPatient } from "~/clinic/patients.server";
import { InvitationEmailSchema } from "~/clinic/validation";
import { emailInContact, INVITATION_VALID_DAYS, SEX_LABELS } from "~/clinic/vocabulary";
import { StatusBadge } from "~/components/consultation";
import { formMessage, InputField, replyTo, useServerForm } from "~/components/forms";
import { ActionOutcome } from "~/components/list-page";
import { DOCTOR_CLASS_LABELS } from "~/consultations/vocabulary";
import { handleAction, handleLoader, intent, step } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Patient record · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const { patient, records } = await getClinicPatient(user, params.id ?? "");
    return {
      patient,
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
        return { invitation: { link, expiresAt: expiresAt.toISOString(), emailedTo: null } };
      }),
      "invite-email": intent(InvitationEmailSchema, async ({ user, params, value }) => {
        const { link, expiresAt, emailedTo } = await issueInvitation(user, params.id ?? "", {
          email: value.email,
        });
        return { invitation: { link, expiresAt: expiresAt.toISOString(), emailedTo } };
      }),
    },
  });
}

export default function ClinicPatientPage() {
  const { patient, records } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const invitation = result && "invitation" in result ? result.invitation : null;
  const refused =
    formMessage(replyTo(result, "invite")) ?? formMessage(replyTo(result, "invite-email"));
  const [mailForm, mailFields] = useServerForm({
    id: "invitation-email",
    lastResult: replyTo(result, "invite-email"),
    defaultValue: { email: emailInContact(patient.contact) },
  });
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
        <Link to={`/doctor/patients/${patient.id}/edit`}>
          Edit the details or delete the patient
        </Link>
      </p>
      <p>
        <Link className="button" to={`/doctor/patients/${patient.id}/analyses/new`}>
          Analyse a smear for this patient
        </Link>
      </p>
      <h2>Records</h2>
      {records.length === 0 ? (
        <p>No analysis yet.</p>
      ) : (
        <ul className="record-list" aria-label="Records">
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
          <ActionOutcome error={refused} />
          {invitation ? (
            <div role="status" className="notice">
              {invitation.emailedTo && (
                <p>
                  The invitation is on its way to <strong>{invitation.emailedTo}</strong>.
                </p>
              )}
              <label htmlFor="invitation-link">
                {invitation.emailedTo
                  ? "The same link, to give by hand if the e-mail does not arrive:"
                  : "Give this link to the patient:"}
              </label>
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
            <>
              <Form method="post" className="form" {...getFormProps(mailForm)}>
                <InputField
                  field={mailFields.email}
                  label="The patient's e-mail address"
                  type="email"
                  autoComplete="off"
                  hint="We send the link there; it is not stored with the record."
                />
                <button type="submit" name="intent" value="invite-email">
                  Send the invitation by e-mail
                </button>
              </Form>
              <Form method="post">
                <p>Or hand the link over yourself (printed, or in your own message):</p>
                <button type="submit" name="intent" value="invite" className="secondary">
                  Create an invitation link
                </button>
              </Form>
            </>
          )}
        </>
      )}
    </section>
  );
}
