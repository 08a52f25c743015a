import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { notFound, requireRole, requireSameOrigin } from "~/auth/guards.server";
import { Assessment, MessageThread, StatusBadge, Timeline } from "~/components/consultation";
import {
  autoCloseDue,
  closeConsultation,
  getOwnConsultation,
  revokeAccess,
  stepError,
  withdrawRequest,
} from "~/consultations/consultations.server";
import { consultationView, postMessageForm, threadView } from "~/consultations/view.server";
import { markConsultationRead } from "~/notifications/notifications.server";
import { clientIp } from "~/security/request.server";

export const meta: MetaFunction = () => [{ title: "Consultation · HemaLink" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "patient");
  autoCloseDue();
  const id = params.id ?? "";
  const {
    consultation: c,
    analysis,
    doctor,
  } = getOwnConsultation(user, id, clientIp(request, context));
  markConsultationRead(user, id);
  return {
    consultation: consultationView(c),
    analysis: {
      id: analysis.id,
      verdict: analysis.verdict,
      topClass: analysis.topClass,
      createdAt: analysis.createdAt.toISOString(),
    },
    doctor,
    messages: threadView(user, id),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, "patient");
  const id = params.id ?? "";
  const ip = clientIp(request, context);
  const form = await request.formData();
  const intent = form.get("intent");
  try {
    switch (intent) {
      case "withdraw":
        withdrawRequest(user, id, ip);
        break;
      case "revoke":
        revokeAccess(user, id, ip);
        break;
      case "close":
        closeConsultation(user, id, ip);
        break;
      case "message": {
        const messageError = postMessageForm(user, id, form, ip);
        if (messageError) return data({ messageError }, { status: 400 });
        return redirect(`/consultations/${id}#messages`);
      }
      default:
        notFound();
    }
  } catch (error) {
    const { message, status } = stepError(error);
    return data({ error: message }, { status });
  }
  return redirect(`/consultations/${id}`);
}

export default function ConsultationPage() {
  const { consultation: c, analysis, doctor, messages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const answered = c.status === "answered" || c.status === "closed";
  return (
    <>
      <section className="panel">
        <h1>Consultation with {doctor.name}</h1>
        <p>
          <StatusBadge status={c.status} revoked={c.revoked} />
        </p>
        {result && "error" in result && (
          <p role="alert" className="error">
            {result.error}
          </p>
        )}
        <p>
          Shared analysis:{" "}
          <Link to={`/analyses/${analysis.id}`}>
            {analysis.verdict === "ok" ? CLASS_LABELS[analysis.topClass] : "can't assess"} (
            {analysis.createdAt.slice(0, 10)})
          </Link>
          {c.ageBracket && <> · {c.ageBracket === "child" ? "a child" : "an adult"}</>}
        </p>
        <h2>Your message</h2>
        <p className="prewrap">{c.message}</p>
        {c.status === "declined" && (
          <p role="note">
            <strong>{doctor.name} declined:</strong>{" "}
            <span className="prewrap">{c.declineReason}</span>{" "}
            <Link to={`/doctors?analysis=${analysis.id}`}>Find another hematologist</Link>.
          </p>
        )}
        {answered && c.doctorClass && c.urgency && c.steps.answeredAt && (
          <>
            <Assessment
              doctorName={doctor.name}
              answeredAt={c.steps.answeredAt}
              doctorClass={c.doctorClass}
              modelClass={analysis.topClass}
              modelVerdict={analysis.verdict}
              urgency={c.urgency}
              recommendations={c.recommendations ?? ""}
            />
            <p>
              <Link className="button secondary" to={`/doctors/${doctor.id}#reviews`}>
                Review {doctor.name}
              </Link>{" "}
              Your review will carry the “Verified consultation” badge.
            </p>
          </>
        )}
        <h2>Progress</h2>
        <Timeline steps={c.steps} />
        <div className="actions">
          {c.status === "requested" && !c.revoked && (
            <Form method="post" className="inline-form">
              <button type="submit" name="intent" value="withdraw" className="secondary">
                Withdraw the request
              </button>
            </Form>
          )}
          {c.status === "answered" && !c.revoked && (
            <Form method="post" className="inline-form">
              <button type="submit" name="intent" value="close" className="secondary">
                Close the consultation
              </button>
            </Form>
          )}
          {!c.revoked && c.status !== "withdrawn" && (
            <details>
              <summary>End {doctor.name}’s access to this case</summary>
              <Form method="post">
                <p>
                  {doctor.name} will no longer see the image, the result or the messages. An answer
                  already given stays in your records.
                </p>
                <button type="submit" name="intent" value="revoke">
                  End access
                </button>
              </Form>
            </details>
          )}
        </div>
      </section>
      <MessageThread
        messages={messages}
        canPost={c.canPost}
        error={result && "messageError" in result ? result.messageError : undefined}
      />
    </>
  );
}
