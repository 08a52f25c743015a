/**
 * The parts of a form that need no form library in the browser: fields, their error lists,
 * checkboxes and radio groups, one-button forms, and `usePlainForm`, which binds a form's
 * controls to the action's reply (conform's `submission.reply()`, made on the server) by hand.
 * Every form here is validated on the server when submitted (decision 047), so a page whose forms
 * use these alone sends no form library to the browser (decision 066); `./forms.tsx` adds
 * conform's hooks for the other pages and re-exports all of this.
 */
import type { SubmissionResult } from "@conform-to/react";
import { Form } from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";

export type Reply = SubmissionResult<string[]>;

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

/** The message above a form (a refused step), if any. */
export const formMessage = (reply: Reply | undefined) => reply?.error?.[""]?.[0];

/** The first message of a failed reply, wherever it is (one-line forms show it on top). */
export function firstMessage(result: unknown): string | undefined {
  const reply = replyTo(result, "default");
  return Object.values(reply?.error ?? {}).find((messages) => messages?.length)?.[0];
}

/** The first message on one field, if any. */
export const fieldMessage = (reply: Reply | undefined, field: string) => reply?.error?.[field]?.[0];

/** One control of a `usePlainForm` form: ids, name, errors and its value to start from. */
export type PlainField = {
  id: string;
  name: string;
  errorId: string;
  errors?: string[];
  /** What the control starts with: the text sent when the reply carries it, else the default. */
  defaultValue?: string;
};

/** The attributes of a text input, textarea or select bound to a `PlainField`. */
export function controlProps(field: PlainField) {
  const invalid = field.errors !== undefined;
  return {
    id: field.id,
    name: field.name,
    defaultValue: field.defaultValue,
    "aria-invalid": invalid || undefined,
    "aria-describedby": invalid ? field.errorId : undefined,
  };
}

/**
 * A form bound to the action's reply without a form library in the browser: the same ids,
 * names, messages and (after a refused submit) the same submitted text as conform's `useForm`
 * with server validation, and, like it, focus on the first field with a message once a refused
 * reply arrives. Works the same without JavaScript (the server renders the reply).
 */
export function usePlainForm<Name extends string>(options: {
  id: string;
  lastResult: Reply | undefined;
  /** Text controls' values (lists, e.g. checkbox groups, are checked by their own props). */
  defaultValue?: Partial<Record<Name, string | readonly string[]>>;
}) {
  const { id, lastResult: reply } = options;
  // What was sent, as the reply carries it back (none when the action reset the form).
  const submitted = (reply?.initialValue ?? undefined) as Record<string, unknown> | undefined;
  const errorsOf = (name: string) => {
    const messages = reply?.error?.[name];
    return messages && messages.length > 0 ? messages : undefined;
  };
  const field = (name: Name): PlainField => {
    const value = submitted ? submitted[name] : options.defaultValue?.[name];
    return {
      id: `${id}-${name}`,
      name,
      errorId: `${id}-${name}-error`,
      errors: errorsOf(name),
      defaultValue: typeof value === "string" ? value : undefined,
    };
  };
  const formErrors = errorsOf("");
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (reply?.status !== "error" || !ref.current) return;
    for (const element of ref.current.elements) {
      const name = (element as HTMLInputElement).name;
      if (name && reply.error?.[name]?.length) {
        (element as HTMLElement).focus();
        break;
      }
    }
  }, [reply]);
  return {
    form: {
      errorId: `${id}-error`,
      errors: formErrors,
      props: {
        id,
        ref,
        noValidate: true,
        "aria-invalid": formErrors ? true : undefined,
        "aria-describedby": formErrors ? `${id}-error` : undefined,
      },
    },
    /** Each control by name (built when read, like conform's field metadata). */
    fields: new Proxy({} as Record<Name, PlainField>, {
      get: (_, name) => (typeof name === "string" ? field(name as Name) : undefined),
    }),
  };
}

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
