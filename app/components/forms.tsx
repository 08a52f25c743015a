import type { ReactNode } from "react";

type FieldProps = {
  id: string;
  label: string;
  errors?: string[];
  errorId: string;
  children: ReactNode;
  hint?: string;
};

/** A visible label, the control, and its errors announced to screen readers. */
export function Field({ id, label, errors, errorId, children, hint }: FieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && <small>{hint}</small>}
      {children}
      <div id={errorId} aria-live="polite">
        {errors?.map((message) => (
          <p key={message} className="error">
            {message}
          </p>
        ))}
      </div>
    </div>
  );
}

export function FormErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return <div id={id} aria-live="polite" />;
  return (
    <div id={id} className="form-error" role="alert">
      {errors.map((message) => (
        <p key={message} className="error">
          {message}
        </p>
      ))}
    </div>
  );
}
