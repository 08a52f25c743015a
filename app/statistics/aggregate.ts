/**
 * The statistics of a set of final answers (decision 062): prevalence of each final class by
 * month, age group and country; model-versus-hematologist agreement by model version and
 * month; the median time to the answer. Pure and isomorphic: the records come from
 * `records.server.ts`, the tables go to the page, the chart and the CSV as they are, already
 * suppressed, so no view can show what another hides.
 */
import type { AgeBracket, ClassId } from "../analyses/vocabulary";
import {
  CONFIRMS_MODEL_CLASS,
  DOCTOR_CLASS_LABELS,
  DOCTOR_CLASSES,
  type DoctorClass,
} from "../consultations/vocabulary";
import { drawable, shownText, suppress, type Line, type Shown } from "./suppression";
import {
  AGE_GROUP_LABELS,
  AGE_GROUPS,
  formatHours,
  monthLabel,
  regionLabel,
  SMALL_CELL,
  TABLE_TITLES,
  UNKNOWN_REGION,
  type StatisticsTable,
} from "./vocabulary";

/** One analysis with a final answer, reduced to what the statistics may use. */
export type FinalRecord = {
  /** The month the analysis was made, "YYYY-MM" (UTC). */
  month: string;
  finalClass: DoctorClass;
  ageBracket: AgeBracket | null;
  /** Where it was answered: the answering hematologist's country, or null. */
  region: string | null;
  modelVersion: string;
  /** The model's class when it staged the image; null when it could not assess it. */
  modelClass: ClassId | null;
  /** From the request for an answer to the answer (ms); null when not known. */
  answerMs: number | null;
};

/** A table cell: a count as it may be shown, or a derived figure (a rate, a median). */
export type Cell = Shown | { kind: "text"; text: string; value: number | null };

export type TableRow = { key: string; label: string; cells: Cell[] };

export type Chart = {
  /** What the bars measure, for the axis. */
  unit: string;
  categories: string[];
  series: { label: string; values: (number | null)[] }[];
};

/** Whether a chart has anything to draw: a suppressed count, rate or median is null. */
export const chartHasBars = (chart: Chart) =>
  chart.series.some((series) => series.values.some((value) => value !== null));

export type StatisticsTableData = {
  name: StatisticsTable;
  title: string;
  rowHeading: string;
  columns: string[];
  rows: TableRow[];
  /** The totals row, when the table has one. */
  totals: TableRow | null;
  chart: Chart;
};

export type Statistics = {
  /** Every record counted, as it may be shown ("<5" for fewer than 5). */
  records: Shown;
  tables: StatisticsTableData[];
};

/** The median of `values` (the mean of the middle two for an even count), or null. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** "YYYY-MM" of a date in UTC (no finer date ever leaves the statistics). */
export const monthOf = (date: Date) => date.toISOString().slice(0, 7);

const uniqueSorted = (values: string[]) => [...new Set(values)].sort();

type Counter = Map<string, number>;
const bump = (counter: Counter, id: string) => counter.set(id, (counter.get(id) ?? 0) + 1);

/** Whether an answer confirms the model's class (decision 046), for a staged image. */
const confirms = (r: FinalRecord) =>
  r.modelClass !== null && CONFIRMS_MODEL_CLASS[r.finalClass] === r.modelClass;

/**
 * The three prevalence tables (month, age group, country) share their class totals and grand
 * total: suppression runs over all of them at once, so a total printed under one table cannot
 * uncover a cell hidden in another.
 */
function prevalenceTables(records: FinalRecord[]) {
  const dims = {
    "prevalence-by-month": {
      key: (r: FinalRecord) => r.month,
      keys: uniqueSorted(records.map((r) => r.month)),
      label: monthLabel,
      heading: "Month",
    },
    "prevalence-by-age": {
      key: (r: FinalRecord) => r.ageBracket ?? "unknown",
      keys: AGE_GROUPS.filter((g) => records.some((r) => (r.ageBracket ?? "unknown") === g)),
      label: (k: string) => AGE_GROUP_LABELS[k as keyof typeof AGE_GROUP_LABELS],
      heading: "Age group",
    },
    "prevalence-by-region": {
      key: (r: FinalRecord) => regionLabel(r.region),
      // Alphabetical (never by size, which would hint at hidden counts), "Not stated" last.
      keys: uniqueSorted(records.map((r) => regionLabel(r.region))).sort(
        (a, b) => Number(a === UNKNOWN_REGION) - Number(b === UNKNOWN_REGION),
      ),
      label: (k: string) => k,
      heading: "Country (of the answering hematologist)",
    },
  } as const;

  const counts: Counter = new Map();
  const ALL = "all";
  const classTotal = (c: DoctorClass) => `class:${c}`;
  const cell = (t: string, row: string, c: DoctorClass) => `${t}:${row}:${c}`;
  const rowTotal = (t: string, row: string) => `${t}:${row}:total`;
  counts.set(ALL, records.length);
  for (const c of DOCTOR_CLASSES) counts.set(classTotal(c), 0);
  for (const [name, dim] of Object.entries(dims)) {
    for (const k of dim.keys) {
      counts.set(rowTotal(name, k), 0);
      for (const c of DOCTOR_CLASSES) counts.set(cell(name, k, c), 0);
    }
  }
  for (const r of records) {
    bump(counts, classTotal(r.finalClass));
    for (const [name, dim] of Object.entries(dims)) {
      bump(counts, cell(name, dim.key(r), r.finalClass));
      bump(counts, rowTotal(name, dim.key(r)));
    }
  }
  const lines: Line[] = [{ total: ALL, parts: DOCTOR_CLASSES.map(classTotal) }];
  for (const [name, dim] of Object.entries(dims)) {
    lines.push({ total: ALL, parts: dim.keys.map((k) => rowTotal(name, k)) });
    for (const k of dim.keys) {
      lines.push({ total: rowTotal(name, k), parts: DOCTOR_CLASSES.map((c) => cell(name, k, c)) });
    }
    for (const c of DOCTOR_CLASSES) {
      lines.push({ total: classTotal(c), parts: dim.keys.map((k) => cell(name, k, c)) });
    }
  }
  const shown = suppress(counts, lines);
  const get = (id: string) => shown.get(id)!;

  const tables = Object.entries(dims).map(([name, dim]): StatisticsTableData => {
    const rows = dim.keys.map((k) => ({
      key: k,
      label: dim.label(k),
      cells: [...DOCTOR_CLASSES.map((c) => get(cell(name, k, c))), get(rowTotal(name, k))],
    }));
    return {
      name: name as StatisticsTable,
      title: TABLE_TITLES[name as StatisticsTable],
      rowHeading: dim.heading,
      columns: [...DOCTOR_CLASSES.map((c) => DOCTOR_CLASS_LABELS[c]), "All"],
      rows,
      totals: {
        key: "total",
        label: "All",
        cells: [...DOCTOR_CLASSES.map((c) => get(classTotal(c))), get(ALL)],
      },
      chart: {
        unit: "final answers",
        categories: rows.map((r) => r.label),
        series: DOCTOR_CLASSES.map((c, i) => ({
          label: DOCTOR_CLASS_LABELS[c],
          values: rows.map((r) => drawable(r.cells[i] as Shown)),
        })),
      },
    };
  });
  return { tables, records: get(ALL) };
}

const percentText = (confirmed: Shown, compared: Shown): Cell => {
  if (confirmed.kind !== "value" || compared.kind !== "value" || compared.value === 0) {
    return { kind: "text", text: "—", value: null };
  }
  const rate = (confirmed.value / compared.value) * 100;
  return { kind: "text", text: `${Math.round(rate)} %`, value: Math.round(rate * 10) / 10 };
};

/**
 * Agreement on the images the model staged: per model version and month, the answers that
 * confirm its class and those that do not (their sum is the line's total), and each version's
 * totals over its months. The rate is shown only where both counts are.
 */
function agreementTable(records: FinalRecord[]): StatisticsTableData {
  const staged = records.filter((r) => r.modelClass !== null);
  const versions = uniqueSorted(staged.map((r) => r.modelVersion));
  const months = uniqueSorted(staged.map((r) => r.month));
  const pairs = versions.flatMap((v) =>
    months
      .filter((m) => staged.some((r) => r.modelVersion === v && r.month === m))
      .map((m) => ({ v, m })),
  );
  const id = (v: string, m: string, what: "compared" | "confirmed" | "other") =>
    `${v}\u0000${m}\u0000${what}`;
  const counts: Counter = new Map();
  for (const v of versions)
    for (const w of ["compared", "confirmed", "other"] as const) {
      counts.set(id(v, "*", w), 0);
    }
  for (const { v, m } of pairs)
    for (const w of ["compared", "confirmed", "other"] as const) {
      counts.set(id(v, m, w), 0);
    }
  for (const r of staged) {
    const what = confirms(r) ? "confirmed" : "other";
    for (const m of [r.month, "*"]) {
      bump(counts, id(r.modelVersion, m, "compared"));
      bump(counts, id(r.modelVersion, m, what));
    }
  }
  const lines: Line[] = [];
  for (const v of versions) {
    const ms = pairs.filter((p) => p.v === v).map((p) => p.m);
    for (const m of [...ms, "*"]) {
      lines.push({
        total: id(v, m, "compared"),
        parts: [id(v, m, "confirmed"), id(v, m, "other")],
      });
    }
    for (const w of ["compared", "confirmed", "other"] as const) {
      lines.push({ total: id(v, "*", w), parts: ms.map((m) => id(v, m, w)) });
    }
  }
  const shown = suppress(counts, lines);
  const row = (v: string, m: string, label: string): TableRow => {
    const [compared, confirmed, other] = (["compared", "confirmed", "other"] as const).map((w) =>
      shown.get(id(v, m, w))!,
    );
    return {
      key: `${v} ${m}`,
      label,
      cells: [compared!, confirmed!, other!, percentText(confirmed!, compared!)],
    };
  };
  const rows = versions.flatMap((v) => [
    ...pairs.filter((p) => p.v === v).map((p) => row(v, p.m, `${v} · ${monthLabel(p.m)}`)),
    row(v, "*", `${v} · all months`),
  ]);
  return {
    name: "agreement-by-version",
    title: TABLE_TITLES["agreement-by-version"],
    rowHeading: "Model version · month",
    columns: ["Staged by the model", "Confirmed", "Not confirmed", "Agreement"],
    rows,
    totals: null,
    chart: {
      unit: "% confirmed",
      categories: months.map(monthLabel),
      series: versions.map((v) => ({
        label: v,
        values: months.map((m) =>
          pairs.some((p) => p.v === v && p.m === m)
            ? (
                percentText(
                  shown.get(id(v, m, "confirmed"))!,
                  shown.get(id(v, m, "compared"))!,
                ) as {
                  value: number | null;
                }
              ).value
            : null,
        ),
      })),
    },
  };
}

/** A median only over at least 5 answers; otherwise it would describe one or two people. */
function medianCell(values: number[]): Cell {
  if (values.length < SMALL_CELL) return { kind: "text", text: "<5 answers", value: null };
  const ms = median(values)!;
  return { kind: "text", text: formatHours(ms), value: Math.round((ms / 3_600_000) * 10) / 10 };
}

function answerTimeTable(records: FinalRecord[]): StatisticsTableData {
  const timed = records.filter((r) => r.answerMs !== null);
  const months = uniqueSorted(timed.map((r) => r.month));
  const rows = months.map((m) => ({
    key: m,
    label: monthLabel(m),
    cells: [medianCell(timed.filter((r) => r.month === m).map((r) => r.answerMs!))],
  }));
  return {
    name: "answer-time-by-month",
    title: TABLE_TITLES["answer-time-by-month"],
    rowHeading: "Month",
    columns: ["Median time to answer"],
    rows,
    totals: {
      key: "total",
      label: "All months",
      cells: [medianCell(timed.map((r) => r.answerMs!))],
    },
    chart: {
      unit: "hours",
      categories: rows.map((r) => r.label),
      series: [
        {
          label: "Median hours to answer",
          values: rows.map((r) => (r.cells[0] as { value: number | null }).value),
        },
      ],
    },
  };
}

/** Every table of a statistics page, suppressed. */
export function buildStatistics(records: FinalRecord[]): Statistics {
  const prevalence = prevalenceTables(records);
  return {
    records: prevalence.records,
    tables: [...prevalence.tables, agreementTable(records), answerTimeTable(records)],
  };
}

const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** A table as CSV, with the same "<5" and "x" as the page. */
export function tableCsv(table: StatisticsTableData): string {
  const text = (c: Cell) => (c.kind === "text" ? c.text : shownText(c));
  const lines = [[table.rowHeading, ...table.columns]];
  for (const row of [...table.rows, ...(table.totals ? [table.totals] : [])]) {
    lines.push([row.label, ...row.cells.map(text)]);
  }
  return `${lines.map((l) => l.map(csvField).join(",")).join("\r\n")}\r\n`;
}
