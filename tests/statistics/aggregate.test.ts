import type { ClassId } from "~/analyses/vocabulary";
import {
  buildStatistics,
  chartHasBars,
  median,
  monthOf,
  tableCsv,
  type Cell,
  type FinalRecord,
} from "~/statistics/aggregate";
import { exposedCells, shownText, type Line, type Shown } from "~/statistics/suppression";
import { DOCTOR_CLASSES, type DoctorClass } from "~/consultations/vocabulary";

const HOUR = 3_600_000;

function record(values: Partial<FinalRecord> = {}): FinalRecord {
  return {
    month: "2026-03",
    finalClass: "pre_b",
    ageBracket: "adult",
    region: "FR",
    modelVersion: "v1",
    modelClass: "pre_b",
    answerMs: 2 * HOUR,
    ...values,
  };
}

const times = (n: number, values: Partial<FinalRecord>) =>
  Array.from({ length: n }, () => record(values));

const tableOf = (records: FinalRecord[], name: string) =>
  buildStatistics(records).tables.find((t) => t.name === name)!;

const text = (cell: Cell) => (cell.kind === "text" ? cell.text : shownText(cell));

describe("statistics of final answers", () => {
  test("median: the middle value, or the mean of the middle two", () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test("months are UTC months of the analysis, in order", () => {
    expect(monthOf(new Date("2026-01-31T23:30:00-02:00"))).toBe("2026-02");
    const table = tableOf(
      [...times(6, { month: "2026-04" }), ...times(7, { month: "2026-02" })],
      "prevalence-by-month",
    );
    expect(table.rows.map((r) => r.key)).toEqual(["2026-02", "2026-04"]);
    expect(table.rows.map((r) => r.label)).toEqual(["Feb 2026", "Apr 2026"]);
  });

  test("prevalence by month counts each final class; counts below 5 read <5", () => {
    const records = [
      ...times(8, { month: "2026-01", finalClass: "pre_b" }),
      ...times(6, { month: "2026-01", finalClass: "benign" }),
      ...times(9, { month: "2026-02", finalClass: "pre_b" }),
      ...times(7, { month: "2026-02", finalClass: "benign" }),
      ...times(2, { month: "2026-02", finalClass: "pro_b" }),
    ];
    const table = tableOf(records, "prevalence-by-month");
    const column = (c: DoctorClass) =>
      [
        "benign",
        "early_pre_b",
        "pre_b",
        "pro_b",
        "no_leukaemia_seen",
        "other_leukaemia_suspected",
        "reactive_changes",
        "not_assessable",
      ].indexOf(c);
    const truth = {
      "2026-01": { pre_b: 8, benign: 6 },
      "2026-02": { pre_b: 9, benign: 7, pro_b: 2 },
    } as Record<string, Partial<Record<DoctorClass, number>>>;
    for (const row of table.rows) {
      row.cells.slice(0, -1).forEach((cell, i) => {
        const count = truth[row.key]![DOCTOR_CLASSES[i]!] ?? 0;
        // Each cell is its count, "<5" exactly when below 5, or "x" (hidden, 5 or more).
        expect([row.key, i, text(cell)]).toEqual([
          row.key,
          i,
          count < 5 ? "<5" : text(cell) === "x" ? "x" : String(count),
        ]);
      });
    }
    expect(text(table.rows[1]!.cells[column("pro_b")]!)).toBe("<5");
    expect(tableCsv(table)).not.toMatch(/(^|,)2(,|\r)/m);
  });

  test("a hidden count of one table cannot be uncovered with the class totals of another", () => {
    // Every month cell of pro-B is large, so its class total is shown; one country has 3.
    const records = [
      ...times(10, { month: "2026-01", finalClass: "pro_b", region: "FR" }),
      ...times(10, { month: "2026-02", finalClass: "pro_b", region: "FR" }),
      ...times(3, { month: "2026-02", finalClass: "pro_b", region: "DE" }),
      ...times(12, { month: "2026-01", finalClass: "benign", region: "DE" }),
    ];
    const stats = buildStatistics(records);
    // Rebuild what a reader sees: every shown cell of the three prevalence tables, and the
    // sums that hold between them (rows, columns, the shared class totals and grand total).
    const shown = new Map<string, Shown>();
    const lines: Line[] = [];
    const prevalence = stats.tables.filter((t) => t.name.startsWith("prevalence"));
    for (const table of prevalence) {
      const classes = table.columns.length - 1;
      const classIds = Array.from({ length: classes }, (_, c) => `class:${c}`);
      table.totals!.cells.forEach((cell, c) =>
        shown.set(c < classes ? `class:${c}` : "all", cell as Shown),
      );
      for (const row of table.rows) {
        row.cells.forEach((cell, c) =>
          shown.set(`${table.name}:${row.key}:${c < classes ? c : "T"}`, cell as Shown),
        );
        lines.push({
          total: `${table.name}:${row.key}:T`,
          parts: classIds.map((_, c) => `${table.name}:${row.key}:${c}`),
        });
      }
      classIds.forEach((id, c) =>
        lines.push({ total: id, parts: table.rows.map((r) => `${table.name}:${r.key}:${c}`) }),
      );
      lines.push({ total: "all", parts: table.rows.map((r) => `${table.name}:${r.key}:T`) });
      lines.push({ total: "all", parts: classIds });
    }
    const region = prevalence.find((t) => t.name === "prevalence-by-region")!;
    const germany = region.rows.find((r) => r.label === "Germany")!;
    expect(text(germany.cells[3]!)).toBe("<5");
    expect(exposedCells(shown, lines)).toEqual([]);
  });

  test("age groups and countries: a missing one is 'Not stated', listed last", () => {
    const records = [
      ...times(5, { ageBracket: null, region: null }),
      ...times(5, { ageBracket: "child", region: "IN" }),
    ];
    expect(tableOf(records, "prevalence-by-age").rows.map((r) => r.label)).toEqual([
      "Child (under 18)",
      "Not stated",
    ]);
    expect(tableOf(records, "prevalence-by-region").rows.map((r) => r.label)).toEqual([
      "India",
      "Not stated",
    ]);
  });

  test("agreement per model version and month: confirmed, not confirmed and the rate", () => {
    const staged = (model: ClassId, final: DoctorClass, n: number, v = "v1", month = "2026-03") =>
      times(n, { modelClass: model, finalClass: final, modelVersion: v, month });
    const records = [
      ...staged("pre_b", "pre_b", 6),
      // "No leukaemia seen" confirms a benign staging (decision 046).
      ...staged("benign", "no_leukaemia_seen", 6),
      ...staged("pre_b", "pro_b", 5),
      ...staged("benign", "benign", 10, "v2", "2026-04"),
      ...staged("benign", "pre_b", 5, "v2", "2026-04"),
      // Not staged by the model: no agreement to count.
      ...times(9, { modelClass: null, finalClass: "pre_b", modelVersion: "v1" }),
    ];
    const table = tableOf(records, "agreement-by-version");
    const row = (label: string) => table.rows.find((r) => r.label === label)!.cells.map(text);
    expect(row("v1 · Mar 2026")).toEqual(["17", "12", "5", "71 %"]);
    expect(row("v2 · Apr 2026")).toEqual(["15", "10", "5", "67 %"]);
    expect(table.chart.series.map((s) => s.label)).toEqual(["v1", "v2"]);
    expect(table.chart.series[0]!.values).toEqual([70.6, null]);
  });

  test("an agreement rate is hidden when its counts are", () => {
    const records = times(6, { modelClass: "pre_b", finalClass: "pre_b" }).concat(
      times(2, { modelClass: "pre_b", finalClass: "benign" }),
    );
    const cells = tableOf(records, "agreement-by-version").rows[0]!.cells.map(text);
    expect(cells[2]).toBe("<5");
    expect(cells[3]).toBe("—");
    expect(cells.slice(0, 2)).not.toContain("6");
  });

  test("median time to answer by month, only over 5 answers or more", () => {
    const records = [
      ...[1, 2, 3, 4, 10].map((h) => record({ month: "2026-01", answerMs: h * HOUR })),
      ...[1, 2].map((h) => record({ month: "2026-02", answerMs: h * HOUR })),
      record({ month: "2026-02", answerMs: null }),
    ];
    const table = tableOf(records, "answer-time-by-month");
    expect(table.rows.map((r) => text(r.cells[0]!))).toEqual(["3.0 h", "<5 answers"]);
    // All seven answers: 1, 1, 2, 2, 3, 4, 10 hours.
    expect(text(table.totals!.cells[0]!)).toBe("2.0 h");
    expect(table.chart.series[0]!.values).toEqual([3, null]);
  });

  test("the CSV and the chart carry the table's suppression, never a small count", () => {
    const records = [...times(7, { finalClass: "pre_b" }), ...times(3, { finalClass: "benign" })];
    const table = tableOf(records, "prevalence-by-month");
    const csv = tableCsv(table);
    expect(csv.split("\r\n")[0]).toContain("Month,Benign (hematogones)");
    expect(csv).toContain("<5");
    expect(csv).not.toMatch(/(^|,)3(,|\r)/m);
    expect(table.chart.series[0]!.values).toEqual([null]);
  });
});

describe("charts with nothing they may draw", () => {
  test("every count suppressed: no chart has bars; one shown class or rate draws its chart", () => {
    // Four answers: every count, the agreement rate and the median are withheld.
    const few = buildStatistics([...times(3, {}), ...times(1, { finalClass: "benign" })]);
    expect(few.tables.map((t) => [t.name, chartHasBars(t.chart)])).toEqual([
      ["prevalence-by-month", false],
      ["prevalence-by-age", false],
      ["prevalence-by-region", false],
      ["agreement-by-version", false],
      ["answer-time-by-month", false],
    ]);
    // The rows are still there for the table and the CSV, each cell "<5".
    const month = few.tables[0]!;
    expect(month.rows).toHaveLength(1);
    expect(tableCsv(month)).toContain("<5");

    // Five answers of every class: each count may be shown, and so may the rate and median.
    const more = buildStatistics(DOCTOR_CLASSES.flatMap((finalClass) => times(5, { finalClass })));
    expect(more.tables.map((t) => [t.name, chartHasBars(t.chart)])).toEqual([
      ["prevalence-by-month", true],
      ["prevalence-by-age", true],
      ["prevalence-by-region", true],
      ["agreement-by-version", true],
      ["answer-time-by-month", true],
    ]);
  });
});
