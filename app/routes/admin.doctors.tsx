import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { firstMessage } from "~/components/forms";
import { SPECIALTIES, type Specialty } from "~/doctors/specialties";
import { verificationIntent } from "~/doctors/intents.server";
import { listPendingDoctors } from "~/doctors/verification.server";
import { handleAction, handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Verify doctors · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "admin");
    return {
      pending: listPendingDoctors(user).map((d) => ({
        ...d,
        submittedAt: d.submittedAt.toISOString(),
      })),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "admin",
    intents: {
      default: verificationIntent,
    },
  });
}

export default function AdminDoctorsPage() {
  const { pending } = useLoaderData<typeof loader>();
  const error = firstMessage(useActionData<typeof action>());
  return (
    <section className="panel">
      <h1>Doctors awaiting verification</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {pending.length === 0 && <p>No profiles are waiting.</p>}
      <ul className="verification-queue">
        {pending.map((d) => (
          <li key={d.profileId} className="card">
            <h2>
              {d.name} {d.isDemo && <span className="badge">demo</span>}
            </h2>
            <dl>
              <dt>Email</dt>
              <dd>{d.email}</dd>
              <dt>Licence</dt>
              <dd>
                {d.licenceNumber
                  ? `${d.licenceNumber} (${d.licenceAuthority ?? "authority not given"})`
                  : "not submitted yet"}
              </dd>
              <dt>Board certifications</dt>
              <dd>
                {d.boardCertifications.length > 0 ? d.boardCertifications.join("; ") : "none given"}
              </dd>
              <dt>Specialties</dt>
              <dd>
                {d.specialties.map((s) => SPECIALTIES[s as Specialty] ?? s).join(", ") ||
                  "none given"}
              </dd>
              <dt>Clinic</dt>
              <dd>{[d.clinicName, d.city, d.country].filter(Boolean).join(", ") || "—"}</dd>
            </dl>
            <Form method="post" className="inline-form">
              <input type="hidden" name="profileId" value={d.profileId} />
              <button type="submit" name="decision" value="approve">
                Approve {d.name}
              </button>
            </Form>
            <Form method="post" className="form">
              <input type="hidden" name="profileId" value={d.profileId} />
              <div className="field">
                <label htmlFor={`reason-${d.profileId}`}>Reason for rejecting {d.name}</label>
                <input id={`reason-${d.profileId}`} name="reason" maxLength={500} />
              </div>
              <button type="submit" name="decision" value="reject" className="secondary">
                Reject {d.name}
              </button>
            </Form>
          </li>
        ))}
      </ul>
    </section>
  );
}
