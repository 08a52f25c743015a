import type {
  ActionFunctionArgs,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import uplotStyles from "uplot/dist/uPlot.min.css?url";
import { requirePermission } from "~/auth/guards.server";
import { can } from "~/auth/permissions";
import { ClientOnly } from "~/components/client-only";
import { fieldMessage, firstMessage, formMessage, replyTo } from "~/components/forms";
import { handleAction, handleLoader, intent, step } from "~/http/pipeline.server";
import { ComparisonTables, RuleChecks } from "~/lab/comparison";
import { ConfirmChangeForm } from "~/lab/confirm-change";
import type { CurvePoints } from "~/lab/curves.client";
import { cancelJob, getJob, jobDatasets, jobEvents } from "~/lab/jobs.server";
import { promoteCandidate, reviewCandidate } from "~/lab/promotion.server";
import { ConfirmChangeSchema } from "~/lab/validation";
import { ARCHITECTURES, isFinished, JOB_STATUS_LABELS, type JobStatus } from "~/lab/vocabulary";
import { LabCrumbs } from "~/components/lab-crumbs";
import { ActionOutcome } from "~/components/list-page";
import { ScrollingTable } from "~/components/scrolling-table";
import type { BatchRow } from "../../scripts/model/training";

const Curves = lazy(() => import("~/lab/curves.client"));

export const links: LinksFunction = () => [{ rel: "stylesheet", href: uplotStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.job.version ?? "Job"} · Model lab · HemaLink` },
];

/** A batch event as the training writes it. */
type Batch = BatchRow;
type Epoch = CurvePoints["epochs"][number] & { seconds: number };

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    const job = await getJob(user, params.id ?? "");
    const events = await jobEvents(user, job.id);
    const datasets = await jobDatasets(user, job.id);
    const review = await reviewCandidate(user, job.id);
    return {
      review: {
        comparison: review.comparison,
        checks: review.checks,
        problems: review.problems,
        inUse: review.inUse,
        promotable: review.promotable,
        mayPromote: can(user, { type: "model:promote" }),
      },
      job: {
        id: job.id,
        version: job.version,
        datasets,
        status: job.status,
        recipe: job.recipe,
        epoch: job.epoch,
        error: job.error,
        cancelRequested: job.cancelRequested,
      },
      batches: events.filter((e) => e.kind === "batch").map((e) => e.data as Batch),
      epochs: events.filter((e) => e.kind === "epoch").map((e) => e.data as Epoch),
      lastEventId: events.at(-1)?.id ?? 0,
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "user",
    intents: {
      cancel: step(async ({ user, params }) => {
        await cancelJob(user, params.id ?? "");
        return redirect(`/admin/models/jobs/${params.id}`);
      }),
      promote: intent(ConfirmChangeSchema, async ({ user, params, value }) => {
        const change = await promoteCandidate(user, params.id ?? "", value.confirmation);
        return redirect(`/admin/models?changed=${encodeURIComponent(change.version)}`);
      }),
    },
  });
}

/** Follow the job's event stream while it runs; the page's data again once it ends. */
function useLiveJob(initial: ReturnType<typeof useLoaderData<typeof loader>>) {
  const [batches, setBatches] = useState(initial.batches);
  const [epochs, setEpochs] = useState(initial.epochs);
  const [status, setStatus] = useState<JobStatus>(initial.job.status);
  const revalidator = useRevalidator();
  useEffect(() => {
    setBatches(initial.batches);
    setEpochs(initial.epochs);
    setStatus(initial.job.status);
    if (isFinished(initial.job.status)) return;
    const source = new EventSource(
      `/admin/models/jobs/${initial.job.id}/events?after=${initial.lastEventId}`,
    );
    source.addEventListener("batch", (e) =>
      setBatches((b) => [...b, JSON.parse((e as MessageEvent).data) as Batch]),
    );
    source.addEventListener("epoch", (e) =>
      setEpochs((list) => [...list, JSON.parse((e as MessageEvent).data) as Epoch]),
    );
    source.addEventListener("status", (e) =>
      setStatus((JSON.parse((e as MessageEvent).data) as { status: JobStatus }).status),
    );
    source.addEventListener("end", () => {
      source.close();
      revalidator.revalidate();
    });
    return () => source.close();
    // The stream follows one loaded state of the job.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [initial]);
  return { batches, epochs, status };
}

function eta(last: Batch | undefined, epochs: number): string | null {
  if (!last || last.imagesPerSecond <= 0) return null;
  const remaining = last.batches - last.batch + (epochs - last.epoch) * last.batches;
  const seconds = Math.round((remaining * last.batchSize) / last.imagesPerSecond);
  return seconds < 90 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? "—" : `${Math.round(v * 1000) / 10} %`;

/** The candidate beside the model in use, the rule, and (for an admin) the typed promotion. */
function Promotion({
  version,
  review,
  reply,
}: {
  version: string;
  review: ReturnType<typeof useLoaderData<typeof loader>>["review"];
  reply: ReturnType<typeof replyTo>;
}) {
  const { comparison } = review;
  const refused = formMessage(reply);
  const typedError = fieldMessage(reply, "confirmation");
  return (
    <section aria-labelledby="compare-heading">
      <h2 id="compare-heading">Compare with the model in use</h2>
      {comparison ? (
        <>
          <p>
            Both models went through the same evaluation as <code>npm run eval</code> (the capture
            normalisation, the smear check and selective staging) on this dataset&apos;s held-out
            test images, on {comparison.measuredAt.slice(0, 16).replace("T", " ")} UTC.
          </p>
          <p>
            <Link to={`/admin/models/predict?version=${encodeURIComponent(version)}`}>
              Try {version} on an image
            </Link>{" "}
            beside the model in use.
          </p>
          <ComparisonTables candidate={comparison.candidate} current={comparison.current} />
          <RuleChecks checks={review.checks} />
        </>
      ) : (
        <p>The comparison appears here once the job has finished and been evaluated.</p>
      )}
      {review.problems.length > 0 && (
        <ul aria-label="Why it cannot be promoted">
          {review.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <ActionOutcome error={refused} />
      {review.mayPromote && comparison && (
        <ConfirmChangeForm
          intent="promote"
          version={version}
          enabled={review.promotable}
          typedError={typedError}
          button={`Promote ${version}`}
        >
          {{
            after: !review.promotable && (
              <p>The button is enabled when every check passes and nothing is missing.</p>
            ),
          }}
        </ConfirmChangeForm>
      )}
      {!review.mayPromote && comparison && <p>Only an administrator can promote a candidate.</p>}
    </section>
  );
}

export default function JobPage() {
  const data = useLoaderData<typeof loader>();
  const { job } = data;
  const result = useActionData<typeof action>();
  const error = firstMessage(result);
  const { batches, epochs, status } = useLiveJob(data);
  const last = batches.at(-1);
  const points = useMemo<CurvePoints>(
    () => ({
      batches: batches.map((b) => ({
        x: b.epoch - 1 + b.batch / b.batches,
        loss: b.loss,
        accuracy: b.accuracy,
      })),
      epochs,
    }),
    [batches, epochs],
  );
  const running = status === "running" || status === "queued";
  return (
    <section className="panel">
      <LabCrumbs via={{ to: "/admin/models/jobs", label: "Training jobs" }} here={job.version} />
      <h1>{job.version}</h1>
      <p role="status" aria-live="polite">
        <strong>{JOB_STATUS_LABELS[status]}</strong>
        {running && job.cancelRequested && " — stopping after this batch"}
        {last && running && (
          <>
            {" "}
            · epoch {last.epoch} of {job.recipe.epochs}, batch {last.batch} of {last.batches} ·{" "}
            {last.imagesPerSecond} images/s · learning rate {last.learningRate.toPrecision(2)}
            {eta(last, job.recipe.epochs) && ` · about ${eta(last, job.recipe.epochs)} left`}
          </>
        )}
      </p>
      {job.error && (
        <p role="alert" className="error">
          {job.error}
        </p>
      )}
      <ActionOutcome error={error} />
      <p>
        {job.datasets.length === 1 ? "Dataset" : "Datasets, each split on its own"}{" "}
        {job.datasets.map((d, i) => (
          <span key={i}>
            {i > 0 && " + "}
            {d.id ? (
              <Link to={`/admin/models/datasets/${d.id}`}>{d.name}</Link>
            ) : (
              `${d.name} (deleted)`
            )}
          </span>
        ))}{" "}
        · {ARCHITECTURES[job.recipe.architecture].label} · {job.recipe.epochs} epochs · seed{" "}
        {job.recipe.seed} · blocks of {job.recipe.blockSize} files · colour jitter{" "}
        {job.recipe.augmentation ? "on" : "off"}
      </p>
      {running && (
        <Form method="post">
          <input type="hidden" name="intent" value="cancel" />
          <button type="submit" className="secondary" disabled={job.cancelRequested}>
            Cancel the job
          </button>
        </Form>
      )}
      <h2>Learning curves</h2>
      <ClientOnly fallback={<p>The curves are drawn in the browser; the table below has them.</p>}>
        {() => (
          <Suspense fallback={<p>Loading the chart…</p>}>
            <Curves points={points} />
          </Suspense>
        )}
      </ClientOnly>
      <ScrollingTable
        label="Epochs"
        columns={[
          "Epoch",
          "Training loss",
          "Training accuracy",
          "Validation loss",
          "Validation accuracy",
          "Seconds",
        ]}
      >
        <tbody>
          {epochs.map((e) => (
            <tr key={e.epoch}>
              <th scope="row">{e.epoch}</th>
              <td>{e.trainLoss}</td>
              <td>{pct(e.trainAccuracy)}</td>
              <td>{e.validationLoss ?? "—"}</td>
              <td>{pct(e.validationAccuracy)}</td>
              <td>{e.seconds}</td>
            </tr>
          ))}
        </tbody>
      </ScrollingTable>
      {status === "succeeded" && (
        <Promotion version={job.version} review={data.review} reply={replyTo(result, "promote")} />
      )}
    </section>
  );
}
