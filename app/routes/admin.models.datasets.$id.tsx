import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requirePermission } from "~/auth/guards.server";
import { firstMessage } from "~/components/forms";
import { REASON_TEXT, type ReasonCode } from "~/classifier/vocabulary";
import { handleAction, handleLoader, step } from "~/http/pipeline.server";
import { acceptDataset, deleteDataset, getDataset } from "~/lab/datasets.server";
import {
  byteSize,
  CLASS_FOLDERS,
  classFolderLabel,
  DATASET_STATUS_LABELS,
  imageCount,
  MIN_IMAGES_FOR_RANGE,
  SKIP_REASON_TEXT,
} from "~/lab/vocabulary";
import { LabCrumbs } from "~/components/lab-crumbs";
import { ActionOutcome } from "~/components/list-page";
import { ScrollingTable } from "~/components/scrolling-table";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.dataset.name ?? "Dataset"} · Model lab · HemaLink` },
];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    const d = await getDataset(user, params.id ?? "");
    return {
      dataset: {
        id: d.id,
        name: d.name,
        status: d.status,
        images: d.images,
        size: byteSize(d.bytes),
        createdAt: d.createdAt.toISOString(),
      },
      report: d.report,
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "user",
    intents: {
      accept: step(async ({ user, params }) => {
        await acceptDataset(user, params.id ?? "");
        return redirect(`/admin/models/datasets/${params.id}`);
      }),
      delete: step(async ({ user, params }) => {
        await deleteDataset(user, params.id ?? "");
        return redirect("/admin/models/datasets");
      }),
    },
  });
}

const LIST_LIMIT = 20;

function FileList({ items }: { items: string[] }) {
  return (
    <ul>
      {items.slice(0, LIST_LIMIT).map((item) => (
        <li key={item}>{item}</li>
      ))}
      {items.length > LIST_LIMIT && <li>… and {items.length - LIST_LIMIT} more</li>}
    </ul>
  );
}

export default function DatasetPage() {
  const { dataset, report } = useLoaderData<typeof loader>();
  const emptyClasses = CLASS_FOLDERS.filter((f) => report.perClass[f] === 0).length;
  const error = firstMessage(useActionData<typeof action>());
  const reasons = Object.entries(report.smearCheck.reasons) as [ReasonCode, number][];
  return (
    <section className="panel">
      <LabCrumbs via={{ to: "/admin/models/datasets", label: "Datasets" }} here={dataset.name} />
      <h1>{dataset.name}</h1>
      <p>
        <strong>{DATASET_STATUS_LABELS[dataset.status]}</strong> · {imageCount(dataset.images)} ·{" "}
        {dataset.size} · uploaded {dataset.createdAt.slice(0, 16).replace("T", " ")} ·{" "}
        {report.layout === "manifest" ? "labels from manifest.csv" : "labels from class folders"}
      </p>
      <ActionOutcome error={error} />
      <h2>Validation report</h2>
      {report.warnings.length > 0 ? (
        <ul aria-label="Warnings" className="warnings">
          {report.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : (
        <p>No warnings.</p>
      )}
      <ScrollingTable
        label="Images per class"
        caption="Images per class and per split (block split, as training uses it)"
        columns={["Class", "Images", "Train", "Validation", "Test"]}
      >
        <tbody>
          {CLASS_FOLDERS.map((f) => (
            <tr key={f}>
              <th scope="row">{classFolderLabel(f)}</th>
              <td>{report.perClass[f]}</td>
              <td>{report.split.train[f]}</td>
              <td>{report.split.validation[f]}</td>
              <td>{report.split.test[f]}</td>
            </tr>
          ))}
        </tbody>
      </ScrollingTable>
      <p>
        Class imbalance (largest ÷ smallest class):{" "}
        {emptyClasses > 0 || report.imbalanceRatio === null
          ? `not measured: ${emptyClasses} of ${CLASS_FOLDERS.length} classes ${emptyClasses === 1 ? "has" : "have"} no images`
          : `${report.imbalanceRatio}×`}
      </p>
      <h3>Images and magnification</h3>
      <p>
        Image sides from {report.sizes.minSide} to {report.sizes.maxSide} px; most common sizes:{" "}
        {report.sizes.common.map((s) => `${s.size} (${s.images})`).join(", ") || "—"}.
      </p>
      <p>
        {report.redCellDiameter
          ? `Red-cell diameter measured on ${imageCount(report.redCellDiameter.measured)}: median ${report.redCellDiameter.median} px${report.redCellDiameter.measured >= MIN_IMAGES_FOR_RANGE ? ` (10–90 %: ${report.redCellDiameter.p10}–${report.redCellDiameter.p90} px)` : ""}. The model sees red cells at 17 px; the capture normalisation rescales.`
          : "No red cells could be measured: the magnification is unknown."}
      </p>
      <h3>Smear check</h3>
      <p>
        {report.smearCheck.passed} of {imageCount(report.images)}{" "}
        {report.smearCheck.passed === 1 ? "passes" : "pass"} the smear check as an analysis would
        judge {report.images === 1 ? "it" : "them"}.
      </p>
      {reasons.length > 0 && (
        <ul aria-label="Smear check reasons">
          {reasons.map(([code, n]) => (
            <li key={code}>
              {n} × {REASON_TEXT[code]?.reason ?? code}
            </li>
          ))}
        </ul>
      )}
      <h3>Duplicates</h3>
      <p>
        {report.exactDuplicates.length} exact duplicates (same bytes; kept on one side of the
        split), {report.nearDuplicates.length} near duplicates (
        {report.nearDuplicates.filter((d) => d.acrossSplits).length} across splits).
      </p>
      {report.exactDuplicates.length > 0 && (
        <FileList items={report.exactDuplicates.map((d) => `${d.file} = ${d.duplicateOf}`)} />
      )}
      {report.nearDuplicates.length > 0 && (
        <FileList
          items={report.nearDuplicates.map(
            (d) =>
              `${d.file} ≈ ${d.similarTo}${d.acrossSplits ? " (on two sides of the split)" : ""}`,
          )}
        />
      )}
      <h3>Left out ({report.skipped.length + report.ignored.length})</h3>
      {report.skipped.length + report.ignored.length === 0 ? (
        <p>Every file is a usable image.</p>
      ) : (
        <FileList
          items={[
            ...report.skipped.map((s) => `${s.file}: ${SKIP_REASON_TEXT[s.reason]}`),
            ...report.ignored.map((name) => `${name}: not part of the data`),
          ]}
        />
      )}
      <div className="card-actions">
        {dataset.status === "staged" && (
          <Form method="post">
            <input type="hidden" name="intent" value="accept" />
            <button type="submit">Accept for training</button>
          </Form>
        )}
        <Form method="post">
          <input type="hidden" name="intent" value="delete" />
          <button type="submit" className="secondary">
            {dataset.status === "staged" ? "Discard" : "Delete dataset"}
          </button>
        </Form>
      </div>
    </section>
  );
}
