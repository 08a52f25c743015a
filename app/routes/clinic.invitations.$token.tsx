import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { getOptionalUser } from "~/auth/guards.server";
import { can } from "~/auth/permissions";
import { claimInvitation, openInvitation } from "~/clinic/invitations.server";
import { formMessage, replyTo } from "~/components/forms";
import { ActionOutcome } from "~/components/list-page";
import { handleAction, handleLoader, step } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [
  { title: "Your records from your doctor · HemaLink" },
  // The token is a secret: never sent on to another site.
  { name: "referrer", content: "no-referrer" },
];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const invitation = await openInvitation(params.token ?? "");
    const user = await getOptionalUser(request);
    return {
      doctor: invitation.doctor,
      expiresAt: invitation.expiresAt.toISOString(),
      signedIn: user
        ? { role: user.role, name: user.displayName, mayClaim: can(user, { type: "clinic:claim" }) }
        : null,
      here: new URL(request.url).pathname,
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "patient",
    intents: {
      claim: step(async ({ user, params }) => {
        await claimInvitation(user, params.token ?? "");
        return redirect("/analyses?claimed=1");
      }),
    },
  });
}

export default function ClaimInvitationPage() {
  const { doctor, expiresAt, signedIn, here } = useLoaderData<typeof loader>();
  const refused = formMessage(replyTo(useActionData<typeof action>(), "claim"));
  const back = encodeURIComponent(here);
  return (
    <section className="panel">
      <h1>Your records from {doctor}</h1>
      <p>
        {doctor} keeps the results of your blood smear analyses in HemaLink and invites you to see
        them in your own account. Once you accept, they are yours: you decide who sees them, and you
        can end the doctor’s access at any time.
      </p>
      <p>This invitation works once, until {expiresAt.slice(0, 10)}.</p>
      <ActionOutcome error={refused} />
      {signedIn?.mayClaim ? (
        <Form method="post">
          <p>You are signed in as {signedIn.name}.</p>
          <button type="submit" name="intent" value="claim">
            Add these records to my account
          </button>
        </Form>
      ) : signedIn ? (
        <p role="note" className="notice">
          You are signed in with a {signedIn.role} account. Records can be added to a patient
          account only: <Link to="/logout">log out</Link>, then open this link again.
        </p>
      ) : (
        <p>
          <Link className="button" to={`/register?redirectTo=${back}`}>
            Create my account
          </Link>{" "}
          or <Link to={`/login?redirectTo=${back}`}>log in</Link> to add them to your account.
        </p>
      )}
    </section>
  );
}
