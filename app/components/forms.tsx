import { getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { Form } from "@remix-run/react";
import type { InputHTMLAttributes, ReactNode } from "react";

type Reply = SubmissionResult<string[]>;

/**
 * The action's reply if it answers the form sent with `intent` (a page with several forms
 * gets one reply; the submitted values say which form it was for).
 */
export function replyTo(result: unknown, intent = "default"): Reply | undefined {
  if (!result || typeof result !== "object" || !("status" in result)) return undefined;
  const reply = result as Reply;
  const values = reply.initialValue as Record<string, unknown> | null | undefined;
  return (values?.intent ?? "default") === intent ? reply : undefined;
}

type FormOptions<Schema extends Record<string, unknown>> = Omit<
  Parameters<typeof useForm<Schema>>[0],
  "shouldValidate" | "shouldRevalidate" | "onValidate"
>;

/**
 * conform's `useForm` as every form here uses it: validated on the server when submitted (the
 * action's reply, the same with JavaScript off), so no schema library goes to the browser and no
 * request is made per blur or keystroke. A message stays until the next submit: fixing a field
 * does not remove its message on blur, so nothing above the submit button moves between the fix
 * and the click (a message vanishing on blur moved the button away from the pointer and the first
 * click on Save was lost).
 */
export function useServerForm<Schema extends Record<string, unknown>>(
  options: FormOptions<Schema>,
) {
  return useForm<Schema>({ ...options, shouldValidate: "onSubmit", shouldRevalidate: "onSubmit" });
}

/** The message above a form (a refused step), if any. */
export const formMessage = (reply: Reply | undefined) => reply?.error?.[""]?.[0];

/** The first message of a failed reply, wherever it is (one-line forms show it on top). */
export function firstMessage(result: unknown): string | undefined {
  const reply = replyTo(result, "default");
  return Object.values(reply?.error ?? {}).find((messages) => messages?.length)?.[0];
}

/** The first message on one field, if any. */
export const fieldMessage = (reply: Reply | undefined, field: string) => reply?.error?.[field]?.[0];

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
      <FieldErrors id={errorId} errors={errors} />
    </div>
  );
}

type InputFieldProps = {
  field: Parameters<typeof getInputProps>[0];
  label: string;
  type: "text" | "email" | "password";
  hint?: string;
} & Pick<InputHTMLAttributes<HTMLInputElement>, "autoComplete" | "inputMode" | "autoFocus">;

/** A text input bound to a conform field, in a `Field` (label, hint, errors). */
export function InputField({ field, label, type, hint, ...attributes }: InputFieldProps) {
  return (
    <Field id={field.id} label={label} hint={hint} errors={field.errors} errorId={field.errorId}>
      <input {...getInputProps(field, { type })} {...attributes} />
    </Field>
  );
}

/** A field's errors, announced to screen readers (also for fieldsets of checkboxes or radios). */
export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  return (
    <div id={id} aria-live="polite">
      {errors?.map((message) => (
        <p key={message} className="error">
          {message}
        </p>
      ))}
    </div>
  );
}

type Choice = { name: string; label: string; value?: string; defaultChecked: boolean };

/** A checkbox or radio button inside its label. */
function ChoiceInput({ type, name, label, value, defaultChecked }: Choice & { type: string }) {
  return (
    <label className="inline">
      <input type={type} name={name} value={value} defaultChecked={defaultChecked} /> {label}
    </label>
  );
}

/** A checkbox inside its label (a yes/no field). */
export const Checkbox = (choice: Choice) => <ChoiceInput type="checkbox" {...choice} />;

type GroupProps = {
  legend: string;
  name: string;
  options: readonly { value: string; label: string }[];
  errors?: string[];
  errorId: string;
};

/** A fieldset of options sharing one name, with the group's errors. */
function ChoiceGroup({
  type,
  legend,
  name,
  options,
  isChecked,
  errors,
  errorId,
}: GroupProps & { type: "checkbox" | "radio"; isChecked: (value: string) => boolean }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <ChoiceInput
          key={option.value}
          type={type}
          name={name}
          value={option.value}
          label={option.label}
          defaultChecked={isChecked(option.value)}
        />
      ))}
      <FieldErrors id={errorId} errors={errors} />
    </fieldset>
  );
}

/** Checkboxes sharing one name (several choices). */
export const CheckboxGroup = ({
  checked,
  ...group
}: GroupProps & { checked: readonly string[] }) => (
  <ChoiceGroup type="checkbox" {...group} isChecked={(value) => checked.includes(value)} />
);

/** Radio buttons sharing one name (one choice). */
export const RadioGroup = ({ defaultValue, ...group }: GroupProps & { defaultValue?: string }) => (
  <ChoiceGroup type="radio" {...group} isChecked={(value) => value === defaultValue} />
);

/**
 * A form that is one button: posts `intent` (and the `hidden` values, e.g. the record it acts
 * on). Works the same without JavaScript.
 */
export function IntentButton({
  intent,
  hidden = {},
  className,
  children,
}: {
  intent: string;
  hidden?: Record<string, string>;
  className?: string;
  children: ReactNode;
}) {
  return (
    <Form method="post" className="inline-form">
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" name="intent" value={intent} className={className}>
        {children}
      </button>
    </Form>
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
