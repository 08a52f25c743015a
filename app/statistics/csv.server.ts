/** One statistics table as a CSV download, suppressed exactly as on the page. */
import { invalid } from "~/errors/domain-error";
import { tableCsv, type Statistics } from "./aggregate";
import { isStatisticsTable, STATISTICS_TABLES } from "./vocabulary";

export function statisticsCsvResponse(statistics: Statistics, request: Request, prefix: string) {
  const name = new URL(request.url).searchParams.get("table") ?? "";
  if (!isStatisticsTable(name)) {
    throw invalid(`Choose a table: ${STATISTICS_TABLES.join(", ")}.`, "table");
  }
  const table = statistics.tables.find((t) => t.name === name)!;
  return new Response(tableCsv(table), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${prefix}-${name}.csv"`,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
