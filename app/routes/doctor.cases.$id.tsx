import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import type {
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
  ActionFunctionArgs,
} from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CLASS_IDS, CLASS_LABELS, CONFIDENCE_LABELS, type ClassId } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { refusalReasons, resultView } from "~/analyses/capture";
import { CaptureDetails, ProbabilityBars } from "~/components/analysis-result";
import { ImageViewer } from "~/components/image-viewer";
import viewerStyles from "~/components/image-viewer.css?url";
import {
  ConsultationAnswer,
  MessageThread,
  StatusBadge,
  Timeline,
} from "~/components/consultation";
import { ActionOutcome } from "~/components/list-page";
import {
  Field,
  fieldMessage,
  FieldErrors,
  FormErrors,
  formMessage,
  replyTo,
} from "~/components/forms";
import {
  acceptRequest,
  answerConsultation,
  declineRequest,
} from "~/consultations/lifecycle.server";
import { getCaseForDoctor } from "~/consultations/queries.server";
import { postMessageIntent } from "~/consultations/intents.server";
import { doctorLink } from "~/consultations/notices.server";
import { consultationView, threadView } from "~/consultations/view.server";
import { AnswerSchema, DeclineSchema } from "~/consultations/validation";
import {
  ADVICE_MAX,
  DOCTOR_CLASS_LABELS,
  FINDINGS_BEYOND_MODEL,
  isAnswered,
  MORPHOLOGY_MAX,
  URGENCIES,
  URGENCY_LABELS,
  type DoctorClass,
} from "~/consultations/vocabulary";
import { markConsultationRead } from "~/notifications/notifications.server";
import { ownClinicPatient } from "~/clinic/access.server";
import { SEX_LABELS } from "~/clinic/vocabulary";
import { handleAction, handleLoader, intent, step } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Shared case · HemaLink" }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: viewerStyles }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const id = params.id ?? "";
    const { consultation: c, analysis, doctorName } = await getCaseForDoctor(user, id);
    await markConsultationRead(user, id);
    const clinic = c.clinicPatientId && (await ownClinicPatient(user, c.clinicPatientId));
    return {
      doctorName,
      // A record of the doctor's own clinic patient (decision 061): who it is, not a request.
      clinicPatient: clinic
        ? {
            id: clinic.id,
            name: clinic.name,
            clinicRef: clinic.clinicRef,
            birthDate: clinic.birthDate,
            sex: SEX_LABELS[clinic.sex],
          }
        : null,
      consultation: consultationView(c),
      analysis: {
        ...resultView(analysis),
        note: analysis.note,
      },
      messages: await threadView(user, id),
    };
  });
}

const backTo = (params: { id?: string }, hash = "") =>
  redirect(`/doctor/cases/${params.id ?? ""}${hash}`);

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    intents: {
      accept: step(async ({ user, params }) => {
        await acceptRequest(user, params.id ?? "");
        return backTo(params);
      }),
      decline: intent(DeclineSchema, async ({ user, params, value }) => {
        await declineRequest(user, params.id ?? "", value.reason);
        return backTo(params);
      }),
      answer: intent(AnswerSchema, async ({ user, params, value }) => {
        await answerConsultation(user, params.id ?? "", value);
        return backTo(params);
      }),
      message: postMessageIntent(doctorLink),
    },
  });
}

const INTENTS = ["accept", "decline", "answer", "message"];

function AnswerForm({ modelClass }: { modelClass: ClassId | null }) {
  const result = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "answer",
    // A refused step is shown above the case; field errors stay on this form.
    lastResult: formMessage(replyTo(result, "answer")) ? undefined : replyTo(result, "answer"),
    // Validated on the server when submitted (the action's reply): no schema library in the
    // browser bundle, and no request per blur or keystroke.
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
  });
  const classOption = (id: DoctorClass) => (
    <label key={id} className="inline">
      <input type="radio" name={fields.doctorClass.name} value={id} />{" "}
      {id === modelClass
        ? `Confirm the model: ${DOCTOR_CLASS_LABELS[id]}`
        : DOCTOR_CLASS_LABELS[id]}
    </label>
  );
  return (
    <Form method="post" className="form" {...getFormProps(form)}>
      <h2>Your assessment</h2>
      <FormErrors id={form.errorId} errors={form.errors} />
      <fieldset>
        <legend>Class</legend>
        <p className="eyebrow">The model’s B-ALL classes</p>
        {CLASS_IDS.map(classOption)}
        <p className="eyebrow">Other findings</p>
        {FINDINGS_BEYOND_MODEL.map(classOption)}
        <FieldErrors id={fields.doctorClass.errorId} errors={fields.doctorClass.errors} />
      </fieldset>
      <Field
        id={fields.morphology.id}
        label="Morphology (for the record)"
        hint="What you saw in the smear, for the report and other clinicians: cells, blasts, features. The patient sees it below your advice."
        errors={fields.morphology.errors}
        errorId={fields.morphology.errorId}
      >
        <textarea {...getTextareaProps(fields.morphology)} rows={4} maxLength={MORPHOLOGY_MAX} />
      </Field>
      <Field
        id={fields.recommendations.id}
        label="Advice to the patient"
        hint="Next steps in plain words (tests, a visit, what to watch for)."
        errors={fields.recommendations.errors}
        errorId={fields.recommendations.errorId}
      >
        <textarea {...getTextareaProps(fields.recommendations)} rows={5} maxLength={ADVICE_MAX} />
      </Field>
      <fieldset>
        <legend>Urgency</legend>
        {URGENCIES.map((u) => (
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
  const {
    doctorName,
    clinicPatient,
    consultation: c,
    analysis,
    messages,
  } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const stepError = INTENTS.map((name) => formMessage(replyTo(result, name))).find(Boolean);
  const base = `/doctor/cases/${c.id}`;
  return (
    <>
      <section className="panel">
        <h1>{clinicPatient ? `Clinic record: ${clinicPatient.name}` : "Shared case"}</h1>
        <p>
          <StatusBadge status={c.status} />
        </p>
        <ActionOutcome error={stepError} />
        {clinicPatient ? (
          <dl>
            <dt>Patient</dt>
            <dd>
              <Link to={`/doctor/patients/${clinicPatient.id}`}>{clinicPatient.name}</Link>
            </dd>
            <dt>Clinic patient ID</dt>
            <dd>{clinicPatient.clinicRef}</dd>
            <dt>Date of birth</dt>
            <dd>{clinicPatient.birthDate}</dd>
            <dt>Sex</dt>
            <dd>{clinicPatient.sex}</dd>
          </dl>
        ) : (
          <>
            <h2>The patient’s message</h2>
            <p className="prewrap">{c.message}</p>
          </>
        )}
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
            <ImageViewer
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
            <ImageViewer imageUrl={`${base}/image/original`} alt="The patient's smear image" />
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
                  {fieldMessage(replyTo(result, "decline"), "reason") && (
                    <p className="error">{fieldMessage(replyTo(result, "decline"), "reason")}</p>
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
        <ConsultationAnswer consultation={c} doctorName={doctorName} analysis={analysis} />
        {isAnswered(c.status) && clinicPatient && (
          <p>
            <Link className="button" to={`/doctor/records/${c.id}/report`}>
              Signed report (print)
            </Link>{" "}
            <a href={`/doctor/records/${c.id}/fhir`}>FHIR export</a>
          </p>
        )}
      </section>
      {!clinicPatient && (
        <MessageThread messages={messages} canPost={c.canPost} actionResult={result} />
      )}
    </>
  );
}
