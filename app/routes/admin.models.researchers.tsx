import { getFormProps } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import {
  FormErrors,
  formMessage,
  InputField,
  IntentButton,
  replyTo,
  useServerForm,
} from "~/components/forms";
import { LabCrumbs } from "~/components/lab-crumbs";
import { ActionOutcome } from "~/components/list-page";
import { ScrollingTable } from "~/components/scrolling-table";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";
import { grantResearcher, listResearchers, revokeResearcher } from "~/lab/researchers.server";
import { GrantResearcherSchema, RevokeResearcherSchema } from "~/lab/validation";

export const meta: MetaFunction = () => [{ title: "Researchers · Model lab · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "researchers:manage" });
    return { researchers: await listResearchers(user) };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "admin",
    intents: {
      grant: intent(GrantResearcherSchema, async ({ user, value }) => {
        const granted = await grantResearcher(user, value.email);
        return { done: `${granted.email} is now a researcher (signed out everywhere).` };
      }),
      revoke: intent(RevokeResearcherSchema, async ({ user, value }) => {
        await revokeResearcher(user, value.userId);
        return { done: "The researcher role is revoked; the account is a patient account again." };
      }),
    },
  });
}

export default function ResearchersPage() {
  const { researchers } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const done = result && "done" in result ? result.done : undefined;
  const revokeError = formMessage(replyTo(result, "revoke"));
  const [form, fields] = useServerForm({
    id: "grant-researcher",
    lastResult: replyTo(result, "grant"),
    constraint: { email: { required: true } },
  });
  return (
    <section className="panel">
      <LabCrumbs here="Researchers" />
      <h1>Researchers</h1>
      <p>
        A researcher uploads datasets, trains and compares candidates in the lab; only an admin
        promotes a model or manages accounts. Grant the role to a dedicated patient account: its
        sessions end, and at the next login it sets up the two-step login the role requires.
      </p>
      <ActionOutcome confirmation={done} error={revokeError} />
      <Form method="post" className="form" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="grant" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField field={fields.email} label="E-mail address of the account" type="email" />
        <button type="submit">Grant the researcher role</button>
      </Form>
      <h2>Researchers ({researchers.length})</h2>
      {researchers.length === 0 ? (
        <p>Nobody has the role.</p>
      ) : (
        <ScrollingTable label="Researchers" columns={["Name", "E-mail", ""]}>
          <tbody>
            {researchers.map((r) => (
              <tr key={r.id}>
                <td>{r.displayName}</td>
                <td>{r.email}</td>
                <td>
                  <IntentButton intent="revoke" hidden={{ userId: r.id }} className="secondary">
                    Revoke
                  </IntentButton>
                </td>
              </tr>
            ))}
          </tbody>
        </ScrollingTable>
      )}
    </section>
  );
}
