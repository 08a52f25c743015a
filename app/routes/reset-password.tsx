import { getFormProps } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import {
  completePasswordReset,
  findOpenReset,
  RESET_LINK_INVALID,
} from "~/auth/password-reset.server";
import { PASSWORD_MIN } from "~/auth/password-rules";
import { ResetPasswordSchema } from "~/auth/validation";
import { FormErrors, InputField, useServerForm } from "~/components/forms";
import { handleAction, handleLoader, publicIntent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Choose a new password · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }) => {
    // Read only: the link is spent when the new password is set, not when it is opened.
    const token = new URL(request.url).searchParams.get("token") ?? "";
    return { token, invalid: (await findOpenReset(token)) ? null : RESET_LINK_INVALID };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "anyone",
    intents: {
      default: publicIntent(
        ResetPasswordSchema,
        async ({ value }) => {
          await completePasswordReset(value.token, value.password);
          return redirect("/login?reset=done");
        },
        { hideFields: ["password"] },
      ),
    },
  });
}

export default function ResetPasswordPage() {
  const { token, invalid } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useServerForm({
    id: "reset-password",
    lastResult,
    constraint: { password: { required: true } },
  });
  return (
    <section className="panel">
      <h1>Choose a new password</h1>
      {!invalid ? (
        <Form method="post" className="form" {...getFormProps(form)}>
          <FormErrors id={form.errorId} errors={form.errors} />
          <input type="hidden" name="token" value={token} />
          <InputField
            field={fields.password}
            label="New password"
            type="password"
            autoComplete="new-password"
            hint={`At least ${PASSWORD_MIN} characters and hard to guess (not your name or e-mail). Every device logged in to your account will be logged out.`}
          />
          <button type="submit">Set the new password</button>
        </Form>
      ) : (
        <p role="alert">{invalid}</p>
      )}
      <p>
        <Link to="/forgot-password">Ask for a new link</Link> · <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
