import { getFormProps } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { requireSignedOut } from "~/auth/guards.server";
import { RESET_REQUESTED, requestPasswordReset } from "~/auth/password-reset.server";
import { ForgotPasswordSchema } from "~/auth/validation";
import { FormErrors, InputField, replyTo, useServerForm } from "~/components/forms";
import { handleAction, handleLoader, publicIntent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Forgot your password? · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, ({ request }) => requireSignedOut(request));
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "anyone",
    intents: {
      default: publicIntent(ForgotPasswordSchema, async ({ value }) => {
        await requestPasswordReset(value.email);
        return { sent: RESET_REQUESTED };
      }),
    },
  });
}

export default function ForgotPasswordPage() {
  const result = useActionData<typeof action>();
  const sent = result && "sent" in result ? result.sent : null;
  const [form, fields] = useServerForm({
    id: "forgot-password",
    lastResult: replyTo(result),
    constraint: { email: { required: true } },
  });
  return (
    <section className="panel">
      <h1>Forgot your password?</h1>
      {sent ? (
        <p className="notice" role="status">
          {sent}
        </p>
      ) : (
        <Form method="post" className="form" {...getFormProps(form)}>
          <p>Enter the e-mail address of your account and we will send you a link.</p>
          <FormErrors id={form.errorId} errors={form.errors} />
          <InputField field={fields.email} label="Email" type="email" autoComplete="email" />
          <button type="submit">Send me a link</button>
        </Form>
      )}
      <p>
        <Link to="/login">Back to log in</Link>
      </p>
    </section>
  );
}
