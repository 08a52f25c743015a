import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { IntentButton } from "~/components/forms";
import { ActionOutcome, FilterForm, Pager } from "~/components/list-page";
import { requireRole } from "~/auth/guards.server";
import { SPECIALTIES, type Specialty } from "~/doctors/specialties";
import { reinstateIntent, suspendIntent, verificationIntent } from "~/doctors/intents.server";
import { AdminDoctorQuerySchema } from "~/doctors/validation";
import { listDoctorsForAdmin } from "~/doctors/verification.server";
import { VERIFICATION_STATUS_LABELS, VERIFICATION_STATUSES } from "~/doctors/vocabulary";
import { handleAction, handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Doctors · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "admin");
    const params = new URL(request.url).searchParams;
    const query = AdminDoctorQuerySchema.parse({
      q: params.get("q") ?? undefined,
      status: params.get("status") ?? undefined,
      page: params.get("page") ?? undefined,
    });
    const { rows, ...paging } = await listDoctorsForAdmin(user, query);
    return {
      query,
      ...paging,
      doctors: rows.map((d) => ({
        ...d,
        submittedAt: d.submittedAt.toISOString(),
        suspendedAt: d.suspendedAt?.toISOString() ?? null,
        verifiedAt: d.verifiedAt?.toISOString() ?? null,
      })),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "admin",
    intents: {
      default: verificationIntent,
      suspend: suspendIntent,
      reinstate: reinstateIntent,
    },
  });
}

/** The action's answer: a confirmation, or a refused form (its message and its profile). */
function outcomeOf(result: unknown) {
  if (!result || typeof result !== "object") return {};
  if ("confirmation" in result) return { confirmation: String(result.confirmation) };
  if (!("error" in result)) return {};
  const reply = result as {
    error?: Record<string, string[] | null> | null;
    initialValue?: Record<string, unknown> | null;
  };
  const message = Object.values(reply.error ?? {}).find((m) => m?.length)?.[0];
  const profileId = reply.initialValue?.profileId;
  return { error: message, errorFor: typeof profileId === "string" ? profileId : undefined };
}

const STATUS_BADGE: Record<string, string> = {
  pending: "badge pending",
  verified: "badge verified",
  suspended: "badge status-declined",
  rejected: "badge status-declined",
};

export default function AdminDoctorsPage() {
  const { query, total, page, pages, doctors } = useLoaderData<typeof loader>();
  const { confirmation, error, errorFor } = outcomeOf(useActionData<typeof action>());
  const pageLink = (n: number) => {
    const search = new URLSearchParams();
    if (query.q) search.set("q", query.q);
    search.set("status", query.status);
    if (n > 1) search.set("page", String(n));
    return `/admin/doctors?${search}`;
  };
  const shown = query.status === "all" ? "doctors" : VERIFICATION_STATUS_LABELS[query.status];
  return (
    <section className="panel admin-doctors">
      <h1>Doctors</h1>
      <ActionOutcome
        confirmation={confirmation}
        error={doctors.some((d) => d.profileId === errorFor) ? undefined : error}
      />
      <FilterForm
        filters={[
          {
            id: "doctor-search",
            name: "q",
            label: "Search",
            defaultValue: query.q,
            placeholder: "Name, e-mail, licence or city",
          },
          {
            id: "doctor-status",
            name: "status",
            label: "Status",
            defaultValue: query.status,
            options: [
              ...VERIFICATION_STATUSES.map((s) => ({
                value: s,
                label: VERIFICATION_STATUS_LABELS[s],
              })),
              { value: "all", label: "All statuses" },
            ],
          },
        ]}
      />
      <p aria-live="polite">
        {total === 0
          ? `No ${query.status === "all" ? "doctors" : `profiles with the status “${shown}”`}${query.q ? ` match “${query.q}”` : ""}.`
          : `${total} ${total === 1 ? "profile" : "profiles"}${query.status === "all" ? "" : ` · ${shown}`}${query.q ? ` matching “${query.q}”` : ""} · page ${page} of ${pages}`}
      </p>
      <ul className="verification-queue">
        {doctors.map((d) => (
          <li key={d.profileId} className="card">
            <h2>
              {d.displayName}{" "}
              <span className={STATUS_BADGE[d.status]}>{VERIFICATION_STATUS_LABELS[d.status]}</span>{" "}
              {d.isDemo && <span className="badge">demo</span>}
            </h2>
            {error && errorFor === d.profileId && (
              <p role="alert" className="error">
                {error}
              </p>
            )}
            <dl className="facts">
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
                {d.boardCertificationYear !== null &&
                  ` (board-certified ${d.boardCertificationYear})`}
              </dd>
              <dt>Specialties</dt>
              <dd>
                {d.specialties.map((s) => SPECIALTIES[s as Specialty] ?? s).join(", ") ||
                  "none given"}
              </dd>
              <dt>Clinic</dt>
              <dd>{[d.clinicName, d.city, d.country].filter(Boolean).join(", ") || "—"}</dd>
              {d.status === "rejected" && (
                <>
                  <dt>Reason given</dt>
                  <dd>{d.rejectionReason ?? "none given"}</dd>
                </>
              )}
              {d.status === "suspended" && (
                <>
                  <dt>Suspended</dt>
                  <dd>
                    {d.suspendedAt?.slice(0, 10)}: {d.suspensionReason}
                  </dd>
                </>
              )}
            </dl>
            <div className="card-actions">
              {d.status === "pending" && (
                <>
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="profileId" value={d.profileId} />
                    <button type="submit" name="decision" value="approve">
                      Approve {d.name}
                    </button>
                  </Form>
                  <details open={errorFor === d.profileId}>
                    <summary>Reject {d.name}…</summary>
                    <Form method="post" className="form">
                      <input type="hidden" name="profileId" value={d.profileId} />
                      <div className="field">
                        <label htmlFor={`reason-${d.profileId}`}>
                          Reason for rejecting {d.name}
                        </label>
                        <input id={`reason-${d.profileId}`} name="reason" maxLength={500} />
                      </div>
                      <button type="submit" name="decision" value="reject" className="secondary">
                        Reject {d.name}
                      </button>
                    </Form>
                  </details>
                </>
              )}
              {d.status === "verified" && (
                <details open={errorFor === d.profileId}>
                  <summary>Suspend {d.name}…</summary>
                  <Form method="post" className="form">
                    <input type="hidden" name="profileId" value={d.profileId} />
                    <p>
                      The profile leaves the finder, the doctor loses access to every shared case at
                      once and their patients are told. The doctor sees your reason.
                    </p>
                    <div className="field">
                      <label htmlFor={`suspend-${d.profileId}`}>
                        Reason for suspending {d.name}
                      </label>
                      <textarea
                        id={`suspend-${d.profileId}`}
                        name="reason"
                        maxLength={500}
                        rows={3}
                      />
                    </div>
                    <button type="submit" name="intent" value="suspend">
                      Suspend {d.name}
                    </button>
                  </Form>
                </details>
              )}
              {d.status === "suspended" && (
                <IntentButton intent="reinstate" hidden={{ profileId: d.profileId }}>
                  Reinstate {d.name}
                </IntentButton>
              )}
            </div>
          </li>
        ))}
      </ul>
      <Pager page={page} pages={pages} link={pageLink} />
    </section>
  );
}
