import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { register, signInAction } from "~/auth/login.server";
import { requireSignedOut } from "~/auth/guards.server";
import { PASSWORD_MIN, RegisterSchema } from "~/auth/validation";
import { Field, FormErrors } from "~/components/forms";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Create an account · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, ({ request }) => requireSignedOut(request));
}

export function action(args: ActionFunctionArgs) {
  return signInAction(args, RegisterSchema, register);
}

export default function RegisterPage() {
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "register",
    lastResult,
    constraint: getZodConstraint(RegisterSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: RegisterSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <section className="panel">
      <h1>Create an account</h1>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field
          id={fields.name.id}
          label="Name"
          errors={fields.name.errors}
          errorId={fields.name.errorId}
        >
          <input {...getInputProps(fields.name, { type: "text" })} autoComplete="name" />
        </Field>
        <Field
          id={fields.email.id}
          label="Email"
          errors={fields.email.errors}
          errorId={fields.email.errorId}
        >
          <input {...getInputProps(fields.email, { type: "email" })} autoComplete="email" />
        </Field>
        <Field
          id={fields.password.id}
          label="Password"
          hint={`At least ${PASSWORD_MIN} characters; a passphrase is easiest to remember.`}
          errors={fields.password.errors}
          errorId={fields.password.errorId}
        >
          <input
            {...getInputProps(fields.password, { type: "password" })}
            autoComplete="new-password"
          />
        </Field>
        <div className="checkbox">
          <input {...getInputProps(fields.isDoctor, { type: "checkbox" })} />
          <label htmlFor={fields.isDoctor.id}>I am a hematologist</label>
        </div>
        <p>
          <small>
            Hematologist accounts are listed only after an administrator has verified your licence
            and board certification.
          </small>
        </p>
        <button type="submit">Create account</button>
      </Form>
      <p>
        Already registered? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
