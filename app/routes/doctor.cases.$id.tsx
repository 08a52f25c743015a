import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { CLASS_LABELS, CONFIDENCE_LABELS } from "~/analyses/explain";
import { notFound, requireRole, requireSameOrigin } from "~/auth/guards.server";
import { refusalReasons } from "~/analyses/capture";
import { CaptureDetails, HeatmapView, ProbabilityBars } from "~/components/analysis-result";
import {
  Assessment,
  DOCTOR_CLASS_LABELS,
  MessageThread,
  StatusBadge,
  Timeline,
  URGENCY_LABELS,
  type DoctorClass,
} from "~/components/consultation";
import { Field, FieldErrors, FormErrors } from "~/components/forms";
import {
  acceptRequest,
  answerConsultation,
  declineRequest,
  getCaseForDoctor,
  stepError,
} from "~/consultations/consultations.server";
import { consultationView, postMessageForm, threadView } from "~/consultations/view.server";
import { AnswerSchema, DeclineSchema } from "~/consultations/validation";
import { markConsultationRead } from "~/notifications/notifications.server";
import { clientIp } from "~/security/request.server";

export const meta: MetaFunction = () => [{ title: "Shared case · HemaLink" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "doctor");
  const id = params.id ?? "";
  const {
    consultation: c,
    analysis,
    doctorName,
  } = getCaseForDoctor(user, id, clientIp(request, context));
  markConsultationRead(user, id);
  return {
    doctorName,
    consultation: consultationView(c),
    analysis: {
      verdict: analysis.verdict,
      reasons: analysis.reasons,
      capture: analysis.capture,
      topClass: analysis.topClass,
      probabilities: analysis.probabilities,
      confidence: analysis.confidence,
      modelVersion: analysis.modelVersion,
      note: analysis.note,
      createdAt: analysis.createdAt.toISOString(),
    },
    messages: threadView(user, id),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const user = await requireRole(request, "doctor");
  const id = params.id ?? "";
  const ip = clientIp(request, context);
  const form = await request.formData();
  const intent = form.get("intent");
  try {
    switch (intent) {
      case "accept":
        acceptRequest(user, id, ip);
        break;
      case "decline": {
        const parsed = DeclineSchema.safeParse({ reason: form.get("reason") ?? undefined });
        if (!parsed.success) {
          return data(
            { intent, error: parsed.error.issues[0]!.message, reply: undefined },
            { status: 400 },
          );
        }
        declineRequest(user, id, parsed.data.reason, ip);
        break;
      }
      case "answer": {
        const submission = parseWithZod(form, { schema: AnswerSchema });
        if (submission.status !== "success") {
          return data({ intent, error: undefined, reply: submission.reply() }, { status: 400 });
        }
        answerConsultation(user, id, submission.value, ip);
        break;
      }
      case "message": {
        const error = postMessageForm(user, id, form, ip);
        if (error) return data({ intent, error, reply: undefined }, { status: 400 });
        return redirect(`/doctor/cases/${id}#messages`);
      }
      default:
        notFound();
    }
  } catch (error) {
    const { message, status } = stepError(error);
    return data({ intent: "step", error: message, reply: undefined }, { status });
  }
  return redirect(`/doctor/cases/${id}`);
}

function AnswerForm({ modelClass }: { modelClass: keyof typeof CLASS_LABELS | null }) {
  const result = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "answer",
    lastResult: result?.intent === "answer" ? result.reply : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: AnswerSchema }),
    shouldValidate: "onBlur",
    // A fixed error clears at once, not on blur: the form must not shift under the next click.
    shouldRevalidate: "onInput",
  });
  return (
    <Form method="post" className="form" {...getFormProps(form)}>
      <h2>Your assessment</h2>
      <FormErrors id={form.errorId} errors={form.errors} />
      <fieldset>
        <legend>Class</legend>
        {(Object.keys(DOCTOR_CLASS_LABELS) as DoctorClass[]).map((id) => (
          <label key={id} className="inline">
            <input type="radio" name={fields.doctorClass.name} value={id} />{" "}
            {id === modelClass
              ? `Confirm the model: ${DOCTOR_CLASS_LABELS[id]}`
              : DOCTOR_CLASS_LABELS[id]}
          </label>
        ))}
        <FieldErrors id={fields.doctorClass.errorId} errors={fields.doctorClass.errors} />
      </fieldset>
      <Field
        id={fields.recommendations.id}
        label="Recommendations for the patient"
        hint="Next steps in plain words (tests, a visit, what to watch for)."
        errors={fields.recommendations.errors}
        errorId={fields.recommendations.errorId}
      >
        <textarea {...getTextareaProps(fields.recommendations)} rows={5} />
      </Field>
      <fieldset>
        <legend>Urgency</legend>
        {(Object.keys(URGENCY_LABELS) as (keyof typeof URGENCY_LABELS)[]).map((u) => (
          <label key={u} className="inline">
            <input type="radio" name={fields.urgency.name} value={u} /> {URGENCY_LABELS[u]}
          </label>
        ))}
        <FieldErrors id={fields.urgency.errorId} errors={fields.urgency.errors} />
      </fieldset>
      <button type="submit" name="intent" value="answer">
        Send my assessment
      </button>
    </Form>
  );
}

export default function DoctorCasePage() {
  const { doctorName, consultation: c, analysis, messages } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/doctor/cases/${c.id}`;
  const answered = c.status === "answered" || c.status === "closed";
  return (
    <>
      <section className="panel">
        <h1>Shared case</h1>
        <p>
          <StatusBadge status={c.status} />
        </p>
        {result?.intent === "step" && (
          <p role="alert" className="error">
            {result.error}
          </p>
        )}
        <h2>The patient’s message</h2>
        <p className="prewrap">{c.message}</p>
        <p>
          Age bracket: {c.ageBracket ? (c.ageBracket === "child" ? "child" : "adult") : "not given"}
        </p>
        {analysis.note && (
          <p>
            Note with the upload: <span className="prewrap">{analysis.note}</span>
          </p>
        )}
        <h2>Model output</h2>
        <p className="notice" role="note">
          Model version {analysis.modelVersion} (
          <a href="/about/model">model card: metrics and limits</a>). Uploaded{" "}
          <time dateTime={analysis.createdAt}>{analysis.createdAt.slice(0, 10)}</time>.
        </p>
        {analysis.verdict === "ok" ? (
          <>
            <p>
              Top class: <strong>{CLASS_LABELS[analysis.topClass]}</strong> ·{" "}
              {CONFIDENCE_LABELS[analysis.confidence]}
            </p>
            <ProbabilityBars probabilities={analysis.probabilities} />
            <CaptureDetails capture={analysis.capture} open />
            <HeatmapView
              imageUrl={`${base}/image/original`}
              heatmapUrl={`${base}/image/heatmap`}
              alt="The patient's smear image"
            />
          </>
        ) : (
          <>
            <p>
              The model could not assess this image:{" "}
              {refusalReasons(analysis.reasons)
                .map((r) => r.reason)
                .join(" ")}
            </p>
            <img
              src={`${base}/image/original`}
              alt="The patient's smear image"
              className="preview"
            />
            <CaptureDetails capture={analysis.capture} open />
          </>
        )}
        <h2>Progress</h2>
        <Timeline steps={c.steps} />
        {c.status === "requested" && (
          <div className="actions">
            <Form method="post" className="inline-form">
              <button type="submit" name="intent" value="accept">
                Accept the case
              </button>
            </Form>
            <Form method="post" className="form">
              <div className="field">
                <label htmlFor="decline-reason">Reason for declining</label>
                <textarea
                  id="decline-reason"
                  name="reason"
                  rows={2}
                  maxLength={1000}
                  aria-describedby="decline-error"
                />
                <div id="decline-error" aria-live="polite">
                  {result?.intent === "decline" && result.error && (
                    <p className="error">{result.error}</p>
                  )}
                </div>
              </div>
              <button type="submit" name="intent" value="decline" className="secondary">
                Decline
              </button>
            </Form>
          </div>
        )}
        {c.status === "declined" && (
          <p>
            You declined: <span className="prewrap">{c.declineReason}</span>
          </p>
        )}
        {c.status === "accepted" && (
          <AnswerForm modelClass={analysis.verdict === "ok" ? analysis.topClass : null} />
        )}
        {answered && c.doctorClass && c.urgency && c.steps.answeredAt && (
          <Assessment
            doctorName={doctorName}
            answeredAt={c.steps.answeredAt}
            doctorClass={c.doctorClass}
            modelClass={analysis.topClass}
            modelVerdict={analysis.verdict}
            urgency={c.urgency}
            recommendations={c.recommendations ?? ""}
          />
        )}
      </section>
      <MessageThread
        messages={messages}
        canPost={c.canPost}
        error={result?.intent === "message" ? result.error : undefined}
      />
    </>
  );
}
