import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import {
  ConsultationAnswer,
  MessageThread,
  StatusBadge,
  Timeline,
} from "~/components/consultation";
import { formMessage, IntentButton, replyTo } from "~/components/forms";
import { ActionOutcome } from "~/components/list-page";
import { closeConsultation, revokeAccess, withdrawRequest } from "~/consultations/lifecycle.server";
import { getOwnConsultation } from "~/consultations/queries.server";
import { postMessageIntent } from "~/consultations/intents.server";
import { patientLink } from "~/consultations/notices.server";
import { consultationView, threadView } from "~/consultations/view.server";
import { markConsultationRead } from "~/notifications/notifications.server";
import { handleAction, handleLoader, step } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Consultation · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const id = params.id ?? "";
    const { consultation: c, analysis, doctor } = await getOwnConsultation(user, id);
    await markConsultationRead(user, id);
    return {
      consultation: consultationView(c, { doctorCertified: doctor.certified }),
      analysis: {
        id: analysis.id,
        verdict: analysis.verdict,
        topClass: analysis.topClass,
        createdAt: analysis.createdAt.toISOString(),
      },
      doctor,
      messages: await threadView(user, id),
    };
  });
}

const backTo = (params: { id?: string }, hash = "") =>
  redirect(`/consultations/${params.id ?? ""}${hash}`);

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "patient",
    intents: {
      withdraw: step(async ({ user, params }) => {
        await withdrawRequest(user, params.id ?? "");
        return backTo(params);
      }),
      revoke: step(async ({ user, params }) => {
        await revokeAccess(user, params.id ?? "");
        return backTo(params);
      }),
      close: step(async ({ user, params }) => {
        await closeConsultation(user, params.id ?? "");
        return backTo(params);
      }),
      message: postMessageIntent(patientLink),
    },
  });
}

export default function ConsultationPage() {
  const { consultation: c, analysis, doctor, messages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const stepError = ["withdraw", "revoke", "close"]
    .map((name) => formMessage(replyTo(result, name)))
    .find(Boolean);
  return (
    <>
      <section className="panel">
        <h1>Consultation with {doctor.name}</h1>
        <p>
          <StatusBadge status={c.status} revoked={c.revoked} />
        </p>
        {!doctor.certified && !c.revoked && c.status !== "withdrawn" && (
          <div role="note" className="notice" id="doctor-access-notice">
            <p>
              <strong>{doctor.name} can no longer see this case</strong>: their certification is not
              confirmed at the moment, so they cannot open the image, the result or the messages,
              nor answer.
            </p>
            <p>
              <Link className="button" to={`/doctors?analysis=${analysis.id}`}>
                Share it with another hematologist
              </Link>
            </p>
            <p>
              If their certification is confirmed again, they will see this case again, unless you
              end their access below.
            </p>
          </div>
        )}
        <ActionOutcome error={stepError} />
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
        <ConsultationAnswer consultation={c} doctorName={doctor.name} analysis={analysis}>
          <p>
            <Link className="button secondary" to={`/doctors/${doctor.id}#reviews`}>
              Review {doctor.name}
            </Link>{" "}
            Your review will carry the “Verified consultation” badge.
          </p>
        </ConsultationAnswer>
        <h2>Progress</h2>
        <Timeline steps={c.steps} />
        <div className="actions">
          {c.status === "requested" && !c.revoked && (
            <IntentButton intent="withdraw" className="secondary">
              Withdraw the request
            </IntentButton>
          )}
          {c.status === "answered" && !c.revoked && (
            <IntentButton intent="close" className="secondary">
              Close the consultation
            </IntentButton>
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
      <MessageThread messages={messages} canPost={c.canPost} actionResult={result} />
    </>
  );
}
