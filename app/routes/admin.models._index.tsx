import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import { can } from "~/auth/permissions";
import { handleLoader } from "~/http/pipeline.server";
import { listDatasets } from "~/lab/datasets.server";
import { promotionHistory } from "~/lab/promotion.server";
import { listVersions } from "~/lab/versions.server";
import { PROMOTION_KIND_LABELS } from "~/lab/vocabulary";
import { ScrollingTable } from "~/components/scrolling-table";

export const meta: MetaFunction = () => [{ title: "Model lab · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    const changed = new URL(request.url).searchParams.get("changed");
    const versions = await listVersions(user);
    return {
      versions,
      datasets: (await listDatasets(user)).length,
      history: (await promotionHistory(20)).map((p) => ({
        ...p,
        createdAt: p.createdAt.toISOString(),
      })),
      // Shown only when it names the version now in use (a stale or forged link says nothing).
      changed: versions.find((v) => v.current && v.version === changed)?.version ?? null,
      mayManageResearchers: can(user, { type: "researchers:manage" }),
    };
  });
}

const percent = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10} %`);

export default function ModelLabPage() {
  const { versions, datasets, history, changed, mayManageResearchers } =
    useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Model lab</h1>
      {changed && (
        <p role="status" className="confirmation">
          {changed} is now the model in use: the next analysis uses it.
        </p>
      )}
      <p>
        Upload your laboratory&apos;s labelled smears, check them, and measure the model on them.
        The model card of the version in use is on <Link to="/about/model">About the model</Link>.
      </p>
      <ul>
        <li>
          <Link to="/admin/models/datasets">Datasets ({datasets})</Link>
        </li>
        <li>
          <Link to="/admin/models/jobs">Training jobs</Link>
        </li>
        <li>
          <Link to="/admin/models/predict">Predict with a version</Link>
        </li>
        {mayManageResearchers && (
          <li>
            <Link to="/admin/models/researchers">Researchers</Link>
          </li>
        )}
      </ul>
      <h2>Model versions</h2>
      <ScrollingTable
        label="Model versions"
        columns={[
          "Version",
          "Date",
          "Test accuracy (all images)",
          "Accuracy of staged images",
          "Refused",
        ]}
      >
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">
                <Link to={`/admin/models/versions/${v.version}`}>{v.version}</Link>{" "}
                {v.current && <span className="badge verified">in use</span>}
              </th>
              <td>{v.date ?? "—"}</td>
              <td>{percent(v.accuracy)}</td>
              <td>{percent(v.stagedAccuracy)}</td>
              <td>{percent(v.refusedRate)}</td>
            </tr>
          ))}
        </tbody>
      </ScrollingTable>
      <h2>Changes of the model in use</h2>
      {history.length === 0 ? (
        <p>No change yet: the version named by the models folder&apos;s current.json is in use.</p>
      ) : (
        <ol aria-label="Changes of the model in use">
          {history.map((h) => (
            <li key={h.id}>
              {h.createdAt.slice(0, 16).replace("T", " ")} UTC: {PROMOTION_KIND_LABELS[h.kind]}{" "}
              <strong>{h.version}</strong>
              {h.previousVersion && ` (was ${h.previousVersion})`}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
