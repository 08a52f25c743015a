/**
 * The typed second step of a change of the model in use (a promotion or a rollback): the
 * phrase to type, the field, its message and the button; the server checks the phrase again.
 */
import { Form } from "@remix-run/react";
import type { ReactNode } from "react";
import { confirmationPhrase } from "./vocabulary";

export function ConfirmChangeForm({
  intent,
  version,
  enabled,
  typedError,
  button,
  children,
}: {
  intent: "promote" | "rollback";
  version: string;
  enabled: boolean;
  typedError: string | undefined;
  button: string;
  /** Above the explanation (a heading) and below the button (why it is disabled). */
  children?: { before?: ReactNode; after?: ReactNode };
}) {
  const help = `${intent}-help`;
  return (
    <Form method="post" className="promote-form">
      {children?.before}
      <input type="hidden" name="intent" value={intent} />
      <p id={help}>
        Every new analysis, on the server and in private mode, will use {version} at once
        {intent === "rollback" && "; the analyses made so far keep the version they were made with"}
        . Type <strong>{confirmationPhrase(version)}</strong> to confirm.
      </p>
      <label htmlFor="confirmation">Confirmation</label>
      <input
        id="confirmation"
        name="confirmation"
        autoComplete="off"
        aria-describedby={typedError ? `${help} confirmation-error` : help}
        aria-invalid={typedError ? true : undefined}
        disabled={!enabled}
      />
      {typedError && (
        <p id="confirmation-error" className="error" role="alert">
          {typedError}
        </p>
      )}
      <button type="submit" disabled={!enabled}>
        {button}
      </button>
      {children?.after}
    </Form>
  );
}
