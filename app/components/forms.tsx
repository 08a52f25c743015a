import { getInputProps, useForm } from "@conform-to/react";
import type { InputHTMLAttributes } from "react";
import { Field } from "./form-fields";

export * from "./form-fields";

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
 * click on Save was lost). `usePlainForm` (./form-fields.tsx) does the same without conform in the
 * browser, for the pages closest to their page-weight budget.
 */
export function useServerForm<Schema extends Record<string, unknown>>(
  options: FormOptions<Schema>,
) {
  return useForm<Schema>({ ...options, shouldValidate: "onSubmit", shouldRevalidate: "onSubmit" });
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
