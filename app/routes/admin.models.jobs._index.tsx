import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import { CheckboxGroup, fieldMessage, formMessage, replyTo } from "~/components/forms";
import { handleAction, handleLoader } from "~/http/pipeline.server";
import { listDatasets } from "~/lab/datasets.server";
import { startJobIntent } from "~/lab/intents.server";
import { listJobs } from "~/lab/jobs.server";
import { ARCHITECTURES, imageCount, JOB_STATUS_LABELS, MAX_JOB_DATASETS } from "~/lab/vocabulary";
import { LabCrumbs } from "~/components/lab-crumbs";
import { ActionOutcome } from "~/components/list-page";
import { ScrollingTable } from "~/components/scrolling-table";

export const meta: MetaFunction = () => [{ title: "Training jobs · Model lab · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    return {
      datasets: (await listDatasets(user))
        .filter((d) => d.status === "accepted")
        .map((d) => ({ id: d.id, name: d.name, images: d.images })),
      jobs: (await listJobs(user)).map((j) => ({
        id: j.id,
        version: j.version,
        datasetName: j.datasetName,
        status: j.status,
        epoch: j.epoch,
        epochs: j.recipe.epochs,
        createdAt: j.createdAt.toISOString(),
      })),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, { who: "user", intents: { default: startJobIntent } });
}

export default function JobsPage() {
  const { datasets, jobs } = useLoaderData<typeof loader>();
  const reply = replyTo(useActionData<typeof action>());
  const error = (field: string) => fieldMessage(reply, field);
  return (
    <section className="panel">
      <LabCrumbs here="Training jobs" />
      <h1>Training jobs</h1>
      <p>
        One job trains at a time, in a background process at low priority; the site stays
        responsive. A job interrupted by a restart resumes from its last finished epoch.
      </p>
      <h2>Start a job</h2>
      {datasets.length === 0 ? (
        <p>
          No accepted dataset yet: <Link to="/admin/models/datasets">upload one</Link> and accept it
          after reading its report.
        </p>
      ) : (
        <Form method="post" className="form">
          <ActionOutcome error={formMessage(reply)} />
          <CheckboxGroup
            legend={`Datasets (up to ${MAX_JOB_DATASETS}; each is split on its own)`}
            name="datasetIds"
            options={datasets.map((d) => ({
              value: d.id,
              label: `${d.name} (${imageCount(d.images)})`,
            }))}
            checked={datasets.length === 1 ? [datasets[0]!.id] : []}
            errors={error("datasetIds") ? [error("datasetIds")!] : undefined}
            errorId="job-datasets-error"
          />
          <div className="field">
            <label htmlFor="job-architecture">Architecture</label>
            <select id="job-architecture" name="architecture" defaultValue="project">
              {Object.entries(ARCHITECTURES).map(([name, a]) => (
                <option key={name} value={name}>
                  {a.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="job-epochs">Epochs</label>
            <input id="job-epochs" name="epochs" type="number" min={1} max={60} defaultValue={8} />
            {error("epochs") && <p className="error">{error("epochs")}</p>}
          </div>
          <div className="field">
            <label htmlFor="job-seed">Seed</label>
            <input id="job-seed" name="seed" type="number" min={0} defaultValue={1} />
            {error("seed") && <p className="error">{error("seed")}</p>}
          </div>
          <div className="field">
            <label htmlFor="job-block">Files per split block</label>
            <p className="hint">
              Consecutive file numbers (one smear or patient) stay on one side of the split. When
              the dataset&apos;s manifest.csv has a <code>patient</code> column, each patient is a
              block instead, so no patient is on both sides.
            </p>
            <input id="job-block" name="blockSize" type="number" min={1} defaultValue={20} />
            {error("blockSize") && <p className="error">{error("blockSize")}</p>}
          </div>
          <div className="field">
            <label>
              <input type="checkbox" name="augmentation" value="on" defaultChecked /> Colour and
              stain jitter (re-captures, flips and rotations always)
            </label>
          </div>
          <button type="submit">Start training</button>
        </Form>
      )}
      <h2>Jobs ({jobs.length})</h2>
      {jobs.length === 0 ? (
        <p>No job yet.</p>
      ) : (
        <ScrollingTable
          label="Training jobs"
          columns={["Candidate version", "Datasets", "Status", "Epochs", "Started"]}
        >
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id}>
                <td>
                  <Link to={`/admin/models/jobs/${j.id}`}>{j.version}</Link>
                </td>
                <td>{j.datasetName}</td>
                <td>{JOB_STATUS_LABELS[j.status]}</td>
                <td>
                  {j.epoch} / {j.epochs}
                </td>
                <td>{j.createdAt.slice(0, 16).replace("T", " ")}</td>
              </tr>
            ))}
          </tbody>
        </ScrollingTable>
      )}
    </section>
  );
}
