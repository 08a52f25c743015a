import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { login } from "~/auth/authenticator.server";
import { getOptionalUser, homeFor, requireSameOrigin, safeRedirect } from "~/auth/guards.server";
import { Field, FormErrors } from "~/components/forms";
import { clientIp } from "~/security/request.server";

export const meta: MetaFunction = () => [{ title: "Log in · HemaLink" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  if (user) throw redirect(homeFor(user));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireSameOrigin(request);
  const outcome = await login(request, clientIp(request, context));
  if (!outcome.ok) {
    const headers: HeadersInit = outcome.retryAfterSeconds
      ? { "Retry-After": String(outcome.retryAfterSeconds) }
      : {};
    return data(outcome.reply, { status: outcome.status, headers });
  }
  return redirect(safeRedirect(outcome.redirectTo, homeFor(outcome.user)), {
    headers: { "Set-Cookie": outcome.setCookie },
  });
}

export default function LoginPage() {
  const lastResult = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const [form, fields] = useForm({
    id: "login",
    lastResult,
    // Validated on the server when submitted (the action's reply): no schema library in the
    // browser bundle, and no request per blur or keystroke.
    constraint: { email: { required: true }, password: { required: true } },
    shouldValidate: "onSubmit",
    shouldRevalidate: "onSubmit",
  });
  return (
    <section className="panel">
      <h1>Log in</h1>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
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
          errors={fields.password.errors}
          errorId={fields.password.errorId}
        >
          <input
            {...getInputProps(fields.password, { type: "password" })}
            autoComplete="current-password"
          />
        </Field>
        <button type="submit">Log in</button>
      </Form>
      <p>
        New here? <Link to="/register">Create an account</Link>
      </p>
    </section>
  );
}
