import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import {
  Link,
  useActionData,
  useLoaderData,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import { confirmEnrolmentAtLogin, enrolmentAtLogin } from "~/auth/second-step.server";
import { CodeSchema } from "~/auth/validation";
import { replyTo } from "~/components/forms";
import { EnrolmentForm, RecoveryCodes } from "~/components/second-factor";
import { handleAction, handleLoader, publicIntent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Set up two-step login · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }) => {
    const enrolment = await enrolmentAtLogin(request);
    return { enrolment: enrolment && { secret: enrolment.secret, qrSvg: enrolment.qrSvg } };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "anyone",
    intents: {
      default: publicIntent(CodeSchema, async ({ value, request }) => {
        const { recoveryCodes, next, headers } = await confirmEnrolmentAtLogin(request, value.code);
        return data({ recoveryCodes, next }, { headers });
      }),
    },
  });
}

/** The codes stay on screen: the login page's challenge is over once the set-up is confirmed. */
export const shouldRevalidate: ShouldRevalidateFunction = ({
  actionResult,
  defaultShouldRevalidate,
}) =>
  actionResult && typeof actionResult === "object" && "recoveryCodes" in actionResult
    ? false
    : defaultShouldRevalidate;

export default function LoginEnrolPage() {
  const { enrolment } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const done = result && "recoveryCodes" in result ? result : null;
  return (
    <section className="panel">
      <h1>Set up two-step login</h1>
      {done ? (
        <>
          <p>Two-step login is on. From now on you log in with your password and a code.</p>
          <RecoveryCodes codes={done.recoveryCodes} />
          <p>
            <Link to={done.next} className="button">
              I have saved them — continue
            </Link>
          </p>
        </>
      ) : !enrolment ? (
        <p role="alert">
          This set-up has already been finished or has expired. <Link to="/login">Log in</Link>{" "}
          again.
        </p>
      ) : (
        <>
          <p>
            Accounts that see patient data log in with a password and a code from an authenticator
            app. Set it up once now; it takes a minute.
          </p>
          <EnrolmentForm enrolment={enrolment} lastResult={replyTo(result)} />
        </>
      )}
    </section>
  );
}
