import { getFormProps, getInputProps } from "@conform-to/react";
import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { register, signInAction } from "~/auth/login.server";
import { requireSignedOut } from "~/auth/guards.server";
import { RegisterSchema } from "~/auth/validation";
import { PASSWORD_MIN } from "~/auth/password-rules";
import { FormErrors, InputField, useServerForm } from "~/components/forms";
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
  // Where to go once registered (an invitation to claim records); checked by safeRedirect.
  const [searchParams] = useSearchParams();
  const [form, fields] = useServerForm({
    id: "register",
    lastResult,
    constraint: {
      name: { required: true },
      email: { required: true },
      password: { required: true },
    },
  });
  return (
    <section className="panel">
      <h1>Create an account</h1>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <InputField field={fields.name} label="Name" type="text" autoComplete="name" />
        <InputField field={fields.email} label="Email" type="email" autoComplete="email" />
        <InputField
          field={fields.password}
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${PASSWORD_MIN} characters and hard to guess (not your name or e-mail); a passphrase of a few uncommon words is easiest to remember. Hematologists need a stronger one.`}
        />
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
