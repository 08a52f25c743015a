/**
 * The words of the statistics pages: the small-cell threshold, the tables' names and headings,
 * and the labels of unknown categories. Isomorphic.
 */
import { AGE_BRACKETS, type AgeBracket } from "../analyses/vocabulary";

/** Counts below this are shown as "<5" (decision 062). */
export const SMALL_CELL = 5;

export const SMALL_CELL_NOTE =
  "Counts below 5 are shown as “<5”; “x” marks a count hidden so that a small one cannot be worked out from the totals. Neither is drawn in the charts.";

/** The tables of a statistics page, in page order; each has a chart and a CSV download. */
export const STATISTICS_TABLES = [
  "prevalence-by-month",
  "prevalence-by-age",
  "prevalence-by-region",
  "agreement-by-version",
  "answer-time-by-month",
] as const;
export type StatisticsTable = (typeof STATISTICS_TABLES)[number];

export const TABLE_TITLES: Record<StatisticsTable, string> = {
  "prevalence-by-month": "Final answers by month",
  "prevalence-by-age": "Final answers by age group",
  "prevalence-by-region": "Final answers by country",
  "agreement-by-version": "Model and hematologist agreement by model version",
  "answer-time-by-month": "Median time to the final answer",
};

/**
 * What a table's chart place says when there is nothing it may draw (every count "<5" or "x",
 * every rate or median withheld): why, and what would make the chart appear.
 */
export const EMPTY_CHART_NOTES: Record<StatisticsTable, string> = {
  "prevalence-by-month":
    "No chart yet: every count here is under 5 or hidden to protect a small one, and those are never drawn. It appears once a class has 5 or more final answers in one month. The table and its CSV show what may be shown.",
  "prevalence-by-age":
    "No chart yet: every count here is under 5 or hidden to protect a small one, and those are never drawn. It appears once a class has 5 or more final answers in one age group. The table and its CSV show what may be shown.",
  "prevalence-by-region":
    "No chart yet: every count here is under 5 or hidden to protect a small one, and those are never drawn. It appears once a class has 5 or more final answers in one country. The table and its CSV show what may be shown.",
  "agreement-by-version":
    "No chart yet: an agreement rate is drawn only for a model version and month with 5 or more answers that confirmed the model and 5 or more that did not, so no small count can be worked out from it. The table and its CSV show what may be shown.",
  "answer-time-by-month":
    "No chart yet: a median time is drawn only for a month with 5 or more timed final answers, so that it never describes one or two people. The table and its CSV show what may be shown.",
};

export const isStatisticsTable = (name: string): name is StatisticsTable =>
  (STATISTICS_TABLES as readonly string[]).includes(name);

export const AGE_GROUP_LABELS: Record<AgeBracket | "unknown", string> = {
  child: "Child (under 18)",
  adult: "Adult",
  unknown: "Not stated",
};
export const AGE_GROUPS = [...AGE_BRACKETS, "unknown"] as const;

export const UNKNOWN_REGION = "Not stated";

/** A country code as a name ("FR" → "France"), or the text as stored. */
export function regionLabel(code: string | null): string {
  const trimmed = (code ?? "").trim();
  if (!trimmed) return UNKNOWN_REGION;
  if (/^[A-Z]{2}$/.test(trimmed)) {
    try {
      return new Intl.DisplayNames(["en"], { type: "region" }).of(trimmed) ?? trimmed;
    } catch {
      return trimmed;
    }
  }
  return trimmed;
}

/** "2026-03" → "Mar 2026". */
export function monthLabel(month: string): string {
  const [year, m] = month.split("-").map(Number);
  return new Date(Date.UTC(year!, m! - 1, 1)).toLocaleDateString("en-GB", {
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** A median duration for people: "45 min", "3.2 h", "1.5 days". */
export function formatHours(ms: number): string {
  const hour = 3_600_000;
  if (ms < hour) return `${Math.max(0, Math.round(ms / 60_000))} min`;
  if (ms < 24 * hour) return `${(ms / hour).toFixed(1)} h`;
  return `${(ms / (24 * hour)).toFixed(1)} days`;
}
