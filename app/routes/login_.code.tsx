import { getFormProps } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import {
  logInWithCode,
  logInWithRecoveryCode,
  requirePendingLogin,
} from "~/auth/second-step.server";
import { CodeSchema, RecoveryCodeSchema } from "~/auth/validation";
import { FormErrors, InputField, replyTo, useServerForm } from "~/components/forms";
import { CodeForm } from "~/components/second-factor";
import { handleAction, handleLoader, publicIntent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Two-step login · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }) => {
    await requirePendingLogin(request, "code");
    return null;
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "anyone",
    intents: {
      default: publicIntent(CodeSchema, ({ value, request }) => logInWithCode(request, value.code)),
      recovery: publicIntent(RecoveryCodeSchema, ({ value, request }) =>
        logInWithRecoveryCode(request, value.recoveryCode),
      ),
    },
  });
}

export default function LoginCodePage() {
  const result = useActionData<typeof action>();
  const [recoveryForm, recoveryFields] = useServerForm({
    id: "login-recovery",
    lastResult: replyTo(result, "recovery"),
    constraint: { recoveryCode: { required: true } },
  });
  return (
    <section className="panel">
      <h1>Two-step login</h1>
      <CodeForm id="login-code" submit="Log in" lastResult={replyTo(result)}>
        <p>Open your authenticator app and enter the 6-digit code it shows for HemaLink.</p>
      </CodeForm>
      <details open={Boolean(replyTo(result, "recovery"))}>
        <summary>No access to your app? Use a recovery code</summary>
        <Form method="post" className="form" {...getFormProps(recoveryForm)}>
          <input type="hidden" name="intent" value="recovery" />
          <FormErrors id={recoveryForm.errorId} errors={recoveryForm.errors} />
          <InputField
            field={recoveryFields.recoveryCode}
            label="Recovery code"
            type="text"
            autoComplete="off"
          />
          <button type="submit">Log in with a recovery code</button>
        </Form>
      </details>
      <p>
        <Link to="/login">Start again</Link>
      </p>
    </section>
  );
}
