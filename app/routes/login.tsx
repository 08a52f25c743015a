import { getFormProps } from "@conform-to/react";
import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { logIn, signInAction } from "~/auth/login.server";
import { requireSignedOut } from "~/auth/guards.server";
import { LoginSchema } from "~/auth/validation";
import { FormErrors, InputField, useServerForm } from "~/components/forms";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Log in · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, ({ request }) => requireSignedOut(request));
}

export function action(args: ActionFunctionArgs) {
  return signInAction(args, LoginSchema, logIn);
}

export default function LoginPage() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const [form, fields] = useServerForm({
    id: "login",
    lastResult,
    constraint: { email: { required: true }, password: { required: true } },
  });
  const reset = searchParams.get("reset") === "done";
  return (
    <section className="panel">
      <h1>Log in</h1>
      {reset && (
        <p className="notice" role="status">
          Your password has been changed and every device was logged out. Log in with the new
          password.
        </p>
      )}
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
        <InputField field={fields.email} label="Email" type="email" autoComplete="email" />
        <InputField
          field={fields.password}
          label="Password"
          type="password"
          autoComplete="current-password"
        />
        <button type="submit">Log in</button>
      </Form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to="/register">Create an account</Link>
      </p>
    </section>
  );
}
