import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import { ScrollingTable } from "~/components/scrolling-table";
import { DOCTOR_CLASS_LABELS, FINDINGS_BEYOND_MODEL } from "~/consultations/vocabulary";
import { handleLoader } from "~/http/pipeline.server";
import { CLASS_FOLDERS, CLASS_LABELS, FOLDER_CLASS } from "~/lab/vocabulary";
import { researchSelection } from "~/research/export.server";
import { MANIFEST_MEASURES } from "~/research/vocabulary";

export const meta: MetaFunction = () => [{ title: "Research dataset · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "research:export" });
    const { summary } = await researchSelection(user);
    return { summary };
  });
}

export default function ResearchExportPage() {
  const { summary } = useLoaderData<typeof loader>();
  const total = CLASS_FOLDERS.reduce((sum, f) => sum + summary.included[f], 0);
  return (
    <section className="panel">
      <p className="no-print">
        <Link to="/admin">← Administration</Link>
      </p>
      <h1>Research dataset</h1>
      <p>
        The smear images whose label is a hematologist&apos;s final answer in one of the
        model&apos;s four classes, from patients who consented to research use and have not
        withdrawn it. The zip has the model lab&apos;s dataset layout: the class folders{" "}
        {CLASS_FOLDERS.map((f) => `${f}/`).join(", ")} and a <code>manifest.csv</code> with the
        class, the model version, the capture measures ({MANIFEST_MEASURES.join(", ")}) and the
        month of the analysis. Files have random names; no name, id or exact date is in it.
      </p>
      <ScrollingTable
        label="Images in the research dataset"
        caption={<>{total} images in the dataset</>}
        columns={["Folder", "Class", "Images"]}
      >
        <tbody>
          {CLASS_FOLDERS.map((f) => (
            <tr key={f}>
              <th scope="row">{f}/</th>
              <td>{CLASS_LABELS[FOLDER_CLASS[f]]}</td>
              <td>{summary.included[f]}</td>
            </tr>
          ))}
        </tbody>
      </ScrollingTable>
      <h2>Left out</h2>
      <p>Consented analyses whose final answer is not one of the four classes:</p>
      <ul>
        {FINDINGS_BEYOND_MODEL.map((c) => (
          <li key={c}>
            {DOCTOR_CLASS_LABELS[c]}: {summary.excluded[c]}
          </li>
        ))}
      </ul>
      <p className="no-print">
        <a className="button" href="/admin/research/download" download>
          Download the research dataset (zip)
        </a>
      </p>
      <p>Every download is recorded in the audit log.</p>
    </section>
  );
}
