import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import { can } from "~/auth/permissions";
import { fieldMessage, formMessage, replyTo } from "~/components/forms";
import { LabCrumbs } from "~/components/lab-crumbs";
import { ActionOutcome } from "~/components/list-page";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";
import { rollBack } from "~/lab/promotion.server";
import { ConfirmChangeSchema } from "~/lab/validation";
import { getVersion } from "~/lab/versions.server";
import { ConfirmChangeForm } from "~/lab/confirm-change";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.version.version ?? "Version"} · Model lab · HemaLink` },
];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    return {
      version: await getVersion(user, params.version ?? ""),
      mayChange: can(user, { type: "model:promote" }),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "user",
    intents: {
      rollback: intent(ConfirmChangeSchema, async ({ user, params, value }) => {
        const change = await rollBack(user, params.version ?? "", value.confirmation);
        return redirect(`/admin/models?changed=${encodeURIComponent(change.version)}`);
      }),
    },
  });
}

const percent = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10} %`);

export default function ModelVersionPage() {
  const { version: v, mayChange } = useLoaderData<typeof loader>();
  const reply = replyTo(useActionData<typeof action>(), "rollback");
  const refused = formMessage(reply);
  const typedError = fieldMessage(reply, "confirmation");
  const usable = v.problems.length === 0 && !v.current;
  return (
    <section className="panel">
      <LabCrumbs here={v.version} />
      <h1>
        {v.version} {v.current && <span className="badge verified">in use</span>}
      </h1>
      <dl>
        <dt>Date</dt>
        <dd>{v.date ?? "—"}</dd>
        <dt>Architecture</dt>
        <dd>{v.architecture ?? "—"}</dd>
        <dt>Training data</dt>
        <dd>{v.trainingData ?? "—"}</dd>
        <dt>Test accuracy (all images / staged ones), refused</dt>
        <dd>
          {percent(v.accuracy)} / {percent(v.stagedAccuracy)}, {percent(v.refusedRate)}
        </dd>
      </dl>
      {v.problems.length === 0 && (
        <p>
          <Link to={`/admin/models/predict?version=${encodeURIComponent(v.version)}`}>
            Try {v.version} on an image
          </Link>
        </p>
      )}
      {v.problems.length > 0 && (
        <>
          <h2>This version cannot be used</h2>
          <ul aria-label="What is wrong with this version">
            {v.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      )}
      <ActionOutcome error={refused} />
      {mayChange && !v.current && (
        <ConfirmChangeForm
          intent="rollback"
          version={v.version}
          enabled={usable}
          typedError={typedError}
          button={`Use ${v.version}`}
        >
          {{ before: <h2>Put this version back in use</h2> }}
        </ConfirmChangeForm>
      )}
    </section>
  );
}
