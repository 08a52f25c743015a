import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { Field, fieldMessage, replyTo } from "./forms";
import { CLASS_LABELS, type ClassId, type Verdict } from "~/analyses/vocabulary";
import {
  confirmsModel,
  DOCTOR_CLASS_LABELS,
  isAnswered,
  STATUS_LABELS,
  type ConsultationStatus,
  type DoctorClass,
  type Urgency,
  URGENCY_LABELS,
} from "~/consultations/vocabulary";

export function StatusBadge({
  status,
  revoked,
}: {
  status: ConsultationStatus;
  revoked?: boolean;
}) {
  return (
    <span className={`badge status-${status}`}>
      {STATUS_LABELS[status]}
      {revoked ? " · access ended" : ""}
    </span>
  );
}

const fmt = (iso: string) => new Date(iso).toUTCString().replace(/:\d\d GMT$/, " UTC");

/** Every step that happened, with its time. */
export function Timeline({
  steps,
}: {
  steps: { requestedAt: string } & Partial<
    Record<
      "acceptedAt" | "declinedAt" | "answeredAt" | "closedAt" | "withdrawnAt" | "revokedAt",
      string | null
    >
  >;
}) {
  const rows: [string, string | null | undefined][] = [
    ["Requested", steps.requestedAt],
    ["Accepted", steps.acceptedAt],
    ["Declined", steps.declinedAt],
    ["Answered", steps.answeredAt],
    ["Closed", steps.closedAt],
    ["Withdrawn", steps.withdrawnAt],
    ["Access ended", steps.revokedAt],
  ];
  return (
    <ol className="timeline">
      {rows
        .filter((r): r is [string, string] => Boolean(r[1]))
        .map(([label, at]) => (
          <li key={label}>
            {label} <time dateTime={at}>{fmt(at)}</time>
          </li>
        ))}
    </ol>
  );
}

/**
 * The doctor's assessment beside the model's output (which stays visible): the advice to the
 * patient first, then what the doctor saw in the smear, for the record.
 */
export function Assessment({
  doctorName,
  answeredAt,
  doctorClass,
  modelClass,
  modelVerdict,
  urgency,
  recommendations,
  morphology,
}: {
  doctorName: string;
  answeredAt: string;
  doctorClass: DoctorClass;
  modelClass: ClassId;
  modelVerdict: Verdict;
  urgency: Urgency;
  /** The advice to the patient. */
  recommendations: string;
  /** Null or empty on answers given before the morphology was asked for. */
  morphology?: string | null;
}) {
  const modelText = modelVerdict === "ok" ? CLASS_LABELS[modelClass] : "Could not assess the image";
  return (
    <section className="assessment" aria-labelledby="assessment-heading">
      <h2 id="assessment-heading">
        Final — reviewed by {doctorName} on{" "}
        <time dateTime={answeredAt}>{answeredAt.slice(0, 10)}</time>
      </h2>
      <table>
        <tbody>
          <tr>
            <th scope="row">Hematologist’s assessment</th>
            <td>
              <strong>{DOCTOR_CLASS_LABELS[doctorClass]}</strong>
              {modelVerdict === "ok" &&
                confirmsModel(doctorClass, modelClass) &&
                " (confirms the model)"}
            </td>
          </tr>
          <tr>
            <th scope="row">Model output</th>
            <td>{modelText}</td>
          </tr>
          <tr>
            <th scope="row">Urgency</th>
            <td>{URGENCY_LABELS[urgency]}</td>
          </tr>
        </tbody>
      </table>
      <div className="advice-to-patient">
        <h3>Advice to the patient</h3>
        <p className="prewrap">{recommendations}</p>
      </div>
      {morphology && (
        <>
          <h3>Morphology — what the hematologist saw</h3>
          <p className="prewrap">{morphology}</p>
        </>
      )}
    </section>
  );
}

/**
 * The hematologist's answer on the patient's and the doctor's case pages, once the
 * consultation is answered (or since closed); `children` follow it.
 */
export function ConsultationAnswer({
  consultation: c,
  doctorName,
  analysis,
  children,
}: {
  consultation: {
    status: ConsultationStatus;
    doctorClass: DoctorClass | null;
    urgency: Urgency | null;
    recommendations: string | null;
    morphology: string | null;
    steps: { answeredAt?: string | null };
  };
  doctorName: string;
  analysis: { topClass: ClassId; verdict: Verdict };
  children?: ReactNode;
}) {
  if (!isAnswered(c.status) || !c.doctorClass || !c.urgency || !c.steps.answeredAt) return null;
  return (
    <>
      <Assessment
        doctorName={doctorName}
        answeredAt={c.steps.answeredAt}
        doctorClass={c.doctorClass}
        modelClass={analysis.topClass}
        modelVerdict={analysis.verdict}
        urgency={c.urgency}
        recommendations={c.recommendations ?? ""}
        morphology={c.morphology}
      />
      {children}
    </>
  );
}

export type ThreadMessage = {
  id: string;
  body: string;
  authorName: string;
  mine: boolean;
  createdAt: string;
};

/**
 * The case's messages (plain text, never HTML) and, while open, a form to write one, which
 * shows what was wrong with the last message sent (`actionResult`: the page's action data).
 */
export function MessageThread({
  messages,
  canPost,
  actionResult,
  children,
}: {
  messages: ThreadMessage[];
  canPost: boolean;
  actionResult?: unknown;
  children?: ReactNode;
}) {
  const error = fieldMessage(replyTo(actionResult, "message"), "body");
  return (
    <section className="panel" aria-labelledby="messages-heading" id="messages">
      <h2 id="messages-heading">Messages</h2>
      {messages.length === 0 && <p>No messages yet.</p>}
      <ol className="thread">
        {messages.map((m) => (
          <li key={m.id} className={m.mine ? "message mine" : "message"}>
            <p className="meta">
              <strong>{m.mine ? "You" : m.authorName}</strong> ·{" "}
              <time dateTime={m.createdAt}>{fmt(m.createdAt)}</time>
            </p>
            <p className="prewrap">{m.body}</p>
          </li>
        ))}
      </ol>
      {children}
      {canPost ? (
        <Form method="post" className="form" action="#messages">
          <Field
            id="message-body"
            label="Write a message"
            errors={error ? [error] : undefined}
            errorId="message-error"
          >
            <textarea
              id="message-body"
              name="body"
              rows={3}
              maxLength={4000}
              required
              aria-describedby="message-error"
              aria-invalid={error ? true : undefined}
            />
          </Field>
          <button type="submit" name="intent" value="message">
            Send message
          </button>
        </Form>
      ) : (
        <p>This conversation is closed.</p>
      )}
    </section>
  );
}
