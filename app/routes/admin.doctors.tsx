import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireRole, requireSameOrigin } from "~/auth/guards.server";
import { SPECIALTIES, type Specialty } from "~/doctors/specialties";
import { decideVerification, listPendingDoctors } from "~/doctors/verification.server";
import { clientIp } from "~/security/request.server";

export const meta: MetaFunction = () => [{ title: "Verify doctors · HemaLink" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, "admin");
  return {
    pending: listPendingDoctors(user).map((d) => ({
      ...d,
      submittedAt: d.submittedAt.toISOString(),
    })),
  };
}

const DecisionSchema = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("approve"), profileId: z.string().min(1) }),
  z.object({
    decision: z.literal("reject"),
    profileId: z.string().min(1),
    reason: z
      .string({ error: "Give the doctor a reason" })
      .trim()
      .min(5, "Give the doctor a reason (at least 5 characters)")
      .max(500, "Keep the reason under 500 characters"),
  }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, "admin");
  const parsed = DecisionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) {
    return data(
      { error: parsed.error.issues[0]?.message ?? "Choose approve or reject" },
      { status: 400 },
    );
  }
  const input = parsed.data;
  decideVerification(
    user,
    input.profileId,
    input.decision === "approve" ? { approve: true } : { approve: false, reason: input.reason },
    clientIp(request, context),
  );
  return redirect("/admin/doctors");
}

export default function AdminDoctorsPage() {
  const { pending } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="panel">
      <h1>Doctors awaiting verification</h1>
      {result?.error && (
        <p role="alert" className="error">
          {result.error}
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
