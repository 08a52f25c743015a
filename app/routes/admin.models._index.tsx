import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import { handleLoader } from "~/http/pipeline.server";
import { listDatasets } from "~/lab/datasets.server";
import { listVersions } from "~/lab/versions.server";
import { ScrollingTable } from "~/components/scrolling-table";

export const meta: MetaFunction = () => [{ title: "Model lab · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    return { versions: await listVersions(user), datasets: listDatasets(user).length };
  });
}

const percent = (v: number | null) => (v === null ? "—" : `${Math.round(v * 1000) / 10} %`);

export default function ModelLabPage() {
  const { versions, datasets } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Model lab</h1>
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
                {v.version} {v.current && <span className="badge">in use</span>}
              </th>
              <td>{v.date ?? "—"}</td>
              <td>{percent(v.accuracy)}</td>
              <td>{percent(v.stagedAccuracy)}</td>
              <td>{percent(v.refusedRate)}</td>
            </tr>
          ))}
        </tbody>
      </ScrollingTable>
    </section>
  );
}
