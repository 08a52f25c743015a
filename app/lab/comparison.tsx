/**
 * A candidate's figures beside the model in use, both measured on the same test images, and
 * the promotion rule's checks (app/lab/promotion-rule.ts).
 */
import { ScrollingTable } from "~/components/scrolling-table";
import type { MeasuredFigures, RuleCheck } from "./promotion-rule";
import { CLASS_LABELS } from "./vocabulary";

const pct = (v: number | undefined | null) =>
  v === undefined || v === null ? "—" : `${(v * 100).toFixed(1)} %`;

type Side = { version: string; metrics: MeasuredFigures };

function rows(candidate: MeasuredFigures, current: MeasuredFigures) {
  const staged = (m: MeasuredFigures) => (m.images ? m.staged.images / m.images : 0);
  const list: [string, string, string][] = [
    ["Test images", String(candidate.images), String(current.images)],
    ["Staged (not refused)", pct(staged(candidate)), pct(staged(current))],
    ["Accuracy of the staged images", pct(candidate.staged.accuracy), pct(current.staged.accuracy)],
    ["Accuracy, all images", pct(candidate.all.accuracy), pct(current.all.accuracy)],
    [
      "Leukaemic smears called benign",
      pct(candidate.staged.leukaemicCalledBenignRate),
      pct(current.staged.leukaemicCalledBenignRate),
    ],
    [
      "Early pre-B smears called benign (images)",
      String(candidate.staged.earlyPreBCalledBenign),
      String(current.staged.earlyPreBCalledBenign),
    ],
    [
      "Calibration error (ECE) after scaling",
      candidate.calibration.eceAfterScaling.toFixed(3),
      current.calibration.eceAfterScaling.toFixed(3),
    ],
  ];
  for (const id of candidate.staged.confusionMatrix.order) {
    list.push([
      `Recall: ${CLASS_LABELS[id]}`,
      pct(candidate.staged.perClass[id]?.recall),
      pct(current.staged.perClass[id]?.recall),
    ]);
  }
  for (const [name, r] of Object.entries(candidate.recaptures)) {
    list.push([
      `Re-captured (${r.describe ?? name}): leukaemic called benign`,
      pct(r.leukaemicCalledBenignRate),
      pct(current.recaptures[name]?.leukaemicCalledBenignRate),
    ]);
  }
  for (const [source, r] of Object.entries(candidate.otherLaboratories?.bySource ?? {})) {
    list.push([
      `Other laboratory ${source}: normal smears staged as leukaemia`,
      pct(r.stagedAsLeukaemiaRate),
      pct(current.otherLaboratories?.bySource[source]?.stagedAsLeukaemiaRate),
    ]);
  }
  return list;
}

function Confusion({ side, label }: { side: Side; label: string }) {
  const { order, values } = side.metrics.staged.confusionMatrix;
  return (
    <ScrollingTable
      label={`Confusion matrix of ${label}`}
      caption={`${label} (${side.version}): rows true class, columns its answer`}
      className="confusion"
      columns={[null, ...order.map((id) => CLASS_LABELS[id])]}
    >
      <tbody>
        {values.map((row, i) => (
          <tr key={order[i]}>
            <th scope="row">{CLASS_LABELS[order[i]!]}</th>
            {row.map((n, j) => (
              <td key={order[j]} className={i === j ? "diagonal" : undefined}>
                {n}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </ScrollingTable>
  );
}

const figure = (v: number | null) =>
  v === null ? "—" : Number.isInteger(v) && v > 1 ? String(v) : v.toFixed(3);

export function ComparisonTables({ candidate, current }: { candidate: Side; current: Side }) {
  return (
    <>
      <ScrollingTable
        label="The candidate beside the model in use"
        caption={`On the same ${candidate.metrics.images} test images`}
        columns={["Measure", `Candidate (${candidate.version})`, `In use (${current.version})`]}
      >
        <tbody>
          {rows(candidate.metrics, current.metrics).map(([name, ours, theirs]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{ours}</td>
              <td>{theirs}</td>
            </tr>
          ))}
        </tbody>
      </ScrollingTable>
      <div className="comparison-matrices">
        <Confusion side={candidate} label="The candidate" />
        <Confusion side={current} label="The model in use" />
      </div>
    </>
  );
}

export function RuleChecks({ checks }: { checks: RuleCheck[] }) {
  return (
    <ScrollingTable
      label="Promotion rule"
      caption="The promotion rule (docs/decisions/059)"
      columns={["Check", "Candidate", "In use", "Result"]}
    >
      <tbody>
        {checks.map((c) => (
          <tr key={c.id}>
            <th scope="row">{c.label}</th>
            <td>{figure(c.candidate)}</td>
            <td>{figure(c.current)}</td>
            <td>
              <span className={`badge ${c.passed ? "verified" : "pending"}`}>
                {c.passed ? "passes" : "fails"}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </ScrollingTable>
  );
}
