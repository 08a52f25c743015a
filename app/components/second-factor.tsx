import { getFormProps, type SubmissionResult } from "@conform-to/react";
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { FormErrors, InputField, useServerForm } from "./forms";

export type EnrolmentView = { secret: string; qrSvg: string };
type Reply = SubmissionResult<string[]> | undefined;

/**
 * A form that sends a code from the authenticator app: what to do (`children`), the code field
 * (numeric keyboard, the browser's one-time-code autofill) and the button. `intent` names the
 * form's intent when the page has several.
 */
export function CodeForm({
  id,
  intent,
  label = "Code",
  submit,
  lastResult,
  children,
}: {
  id: string;
  intent?: string;
  label?: string;
  submit: string;
  lastResult: Reply;
  children?: ReactNode;
}) {
  const [form, fields] = useServerForm({
    id,
    lastResult,
    constraint: { code: { required: true } },
  });
  return (
    <Form method="post" className="form" {...getFormProps(form)}>
      {children}
      {intent && <input type="hidden" name="intent" value={intent} />}
      <FormErrors id={form.errorId} errors={form.errors} />
      <InputField
        field={fields.code}
        label={label}
        type="text"
        inputMode="numeric"
        autoComplete="one-time-code"
      />
      <button type="submit">{submit}</button>
    </Form>
  );
}

/** The secret in groups of four, as authenticator apps show and accept it. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(" ") ?? secret;

/**
 * Setting up an authenticator: the QR code (an SVG made on the server, no outside service), the
 * secret as text for typing in, and the code that confirms it.
 */
export function EnrolmentForm({
  enrolment,
  lastResult,
  intent,
}: {
  enrolment: EnrolmentView;
  lastResult: Reply;
  intent?: string;
}) {
  return (
    <CodeForm id="enrol" intent={intent} submit="Turn on two-step login" lastResult={lastResult}>
      <ol>
        <li>
          Open an authenticator app on your phone (for example Google Authenticator, Microsoft
          Authenticator, FreeOTP or your password manager) and add an account.
        </li>
        <li>
          Scan this QR code, or type in the key below.
          <div
            className="qr-code"
            role="img"
            aria-label="QR code for your authenticator app"
            // An SVG made by the server from the otpauth: address; it holds no user text.
            dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
          />
          <p>
            Key: <code className="secret">{grouped(enrolment.secret)}</code>
          </p>
        </li>
        <li>Enter the 6-digit code the app now shows.</li>
      </ol>
    </CodeForm>
  );
}

/** Recovery codes, shown once: each logs in once when the phone is lost. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="notice" role="status">
      <p>
        <strong>Save these recovery codes now.</strong> Each one logs you in once if you lose your
        phone. They are shown only this time; keep them somewhere safe (printed, or in a password
        manager).
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
