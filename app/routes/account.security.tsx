import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/guards.server";
import {
  beginEnrolment,
  confirmEnrolment,
  disableSecondFactor,
  pendingEnrolment,
  regenerateRecoveryCodes,
  secondFactorState,
} from "~/auth/second-factor.server";
import { CodeSchema } from "~/auth/validation";
import { replyTo } from "~/components/forms";
import { CodeForm, EnrolmentForm, RecoveryCodes } from "~/components/second-factor";
import { handleAction, handleLoader, intent, step } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Account security · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }) => {
    const user = await requireUser(request);
    const enrolment = await pendingEnrolment(user);
    return {
      state: await secondFactorState(user),
      enrolment: enrolment && { secret: enrolment.secret, qrSvg: enrolment.qrSvg },
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "user",
    intents: {
      start: step(async ({ user }) => {
        await beginEnrolment(user);
        return { started: true };
      }),
      confirm: intent(CodeSchema, async ({ user, value }) => ({
        recoveryCodes: await confirmEnrolment(user, value.code),
      })),
      "recovery-codes": intent(CodeSchema, async ({ user, value }) => ({
        recoveryCodes: await regenerateRecoveryCodes(user, value.code),
      })),
      disable: intent(CodeSchema, async ({ user, value }) => {
        await disableSecondFactor(user, value.code);
        return { disabled: true };
      }),
    },
  });
}

/** A change confirmed with a code from the authenticator app; the form shows its own reply. */
function AppCodeForm({ intent, submit }: { intent: "recovery-codes" | "disable"; submit: string }) {
  const result = useActionData<typeof action>();
  return (
    <CodeForm
      id={intent}
      intent={intent}
      label="Code from your app"
      submit={submit}
      lastResult={replyTo(result, intent)}
    />
  );
}

export default function AccountSecurityPage() {
  const { state, enrolment } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const codes = result && "recoveryCodes" in result ? result.recoveryCodes : null;
  const startReply = replyTo(result, "start");
  return (
    <section className="panel">
      <h1>Account security</h1>
      <h2>Two-step login</h2>
      {codes && <RecoveryCodes codes={codes} />}
      {state.enabled ? (
        <>
          <p>
            <strong>On.</strong> You log in with your password and a code from your authenticator
            app.{" "}
            {state.recoveryCodesLeft > 0
              ? `${state.recoveryCodesLeft} of your recovery codes are left.`
              : "You have no recovery codes left: make new ones below."}
          </p>
          <h3>New recovery codes</h3>
          <p>The old ones stop working.</p>
          <AppCodeForm intent="recovery-codes" submit="Make new recovery codes" />
          {state.required ? (
            <p>Accounts that see patient data keep two-step login on.</p>
          ) : (
            <>
              <h3>Turn it off</h3>
              <AppCodeForm intent="disable" submit="Turn off two-step login" />
            </>
          )}
        </>
      ) : enrolment ? (
        <EnrolmentForm
          enrolment={enrolment}
          lastResult={replyTo(result, "confirm")}
          intent="confirm"
        />
      ) : (
        <>
          <p>
            <strong>Off.</strong> With two-step login, someone who learns your password still cannot
            log in without your phone: after the password, HemaLink asks for a code from an
            authenticator app.
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="start" />
            {startReply?.error?.[""] && <p role="alert">{startReply.error[""][0]}</p>}
            <button type="submit">Set up two-step login</button>
          </Form>
        </>
      )}
    </section>
  );
}
