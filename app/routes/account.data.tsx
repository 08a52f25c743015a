import { getFormProps, getInputProps } from "@conform-to/react";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { accountSummary, deleteOwnAccount } from "~/account/deletion.server";
import { DeleteAccountSchema } from "~/account/validation";
import { DELETION_KEEPS, DELETION_REMOVES, EXPORT_CONTENTS } from "~/account/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { destroySession } from "~/auth/session.server";
import { Field, FieldErrors, FormErrors, useServerForm } from "~/components/forms";
import { handleAction, handleLoader, intent, step } from "~/http/pipeline.server";
import {
  researchSettings,
  revokeAllResearchConsents,
  setShareFutureUploads,
} from "~/research/consent.server";
import { ResearchPreferenceSchema } from "~/research/validation";
import { RESEARCH_CONSENT_HINT, RESEARCH_CONSENT_TEXT } from "~/research/vocabulary";

export const meta: MetaFunction = () => [{ title: "Your data · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    return { ...(await accountSummary(user)), research: await researchSettings(user) };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "patient",
    intents: {
      "research-preference": intent(ResearchPreferenceSchema, async ({ user, value }) => {
        await setShareFutureUploads(user, value.shareFutureUploads ?? false);
        return redirect("/account/data#research");
      }),
      "research-revoke": step(async ({ user }) => {
        await revokeAllResearchConsents(user);
        return redirect("/account/data#research");
      }),
      delete: intent(
        DeleteAccountSchema,
        async ({ user, value, request }) => {
          await deleteOwnAccount(user, value.password);
          // The sessions went with the account; this clears the cookie of this browser.
          return redirect("/account/deleted", {
            headers: { "Set-Cookie": await destroySession(request) },
          });
        },
        { hideFields: ["password"] },
      ),
    },
  });
}

export default function AccountDataPage() {
  const summary = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useServerForm({
    id: "delete-account",
    lastResult,
    constraint: { password: { required: true }, confirm: { required: true } },
  });
  return (
    <section className="panel">
      <h1>Your data</h1>
      <h2>Download my data</h2>
      <p>
        One zip file with everything HemaLink holds about you, in the FHIR R4 standard that clinic
        systems read:
      </p>
      <ul>
        {EXPORT_CONTENTS.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <p>
        <a className="button" href="/account/data/download" download>
          Download my data
        </a>
      </p>

      <h2 id="research">Research use</h2>
      <p>{RESEARCH_CONSENT_HINT}</p>
      <Form method="post" className="form">
        <input type="hidden" name="intent" value="research-preference" />
        <div className="field">
          <label className="checkbox" htmlFor="share-future-uploads">
            <input
              type="checkbox"
              id="share-future-uploads"
              name="shareFutureUploads"
              defaultChecked={summary.research.shareFutureUploads}
              key={String(summary.research.shareFutureUploads)}
            />
            {RESEARCH_CONSENT_TEXT} — for my future uploads
          </label>
        </div>
        <button type="submit">Save my research choice</button>
      </Form>
      <p>
        {summary.research.consented === 0
          ? "None of your analyses is shared for research."
          : `${summary.research.consented} of your analyses ${summary.research.consented === 1 ? "is" : "are"} shared for research.`}
      </p>
      {summary.research.consented > 0 && (
        <Form method="post">
          <input type="hidden" name="intent" value="research-revoke" />
          <button type="submit" className="danger">
            Withdraw research use of all my images
          </button>
        </Form>
      )}

      <h2>Delete my account</h2>
      <p>
        Deleting your account removes, at once and for good ({summary.analyses} analyses,{" "}
        {summary.consultations} consultations, {summary.reviews} reviews):
      </p>
      <ul>
        {DELETION_REMOVES.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <p>{DELETION_KEEPS}</p>
      <p>Download your data first if you want to keep a copy.</p>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="intent" value="delete" />
        <Field
          id={fields.password.id}
          label="Your password"
          hint="To confirm it is you."
          errors={fields.password.errors}
          errorId={fields.password.errorId}
        >
          <input
            {...getInputProps(fields.password, { type: "password" })}
            autoComplete="current-password"
          />
        </Field>
        <div className="field">
          <label className="checkbox" htmlFor={fields.confirm.id}>
            <input {...getInputProps(fields.confirm, { type: "checkbox", value: "yes" })} />I
            understand that my account and data are deleted for good
          </label>
          <FieldErrors id={fields.confirm.errorId} errors={fields.confirm.errors} />
        </div>
        <button type="submit" className="danger">
          Delete my account
        </button>
      </Form>
    </section>
  );
}
