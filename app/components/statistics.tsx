/**
 * The statistics pages' body, shared by the doctor's and the admin's: each table with its
 * chart (drawn in the browser only; the table is the page without JavaScript) and its CSV
 * download. Controls are left out of the printed page.
 */
import type { LinksFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";
import { lazy, Suspense, type ReactNode } from "react";
import uplotStyles from "uplot/dist/uPlot.min.css?url";
import {
  chartHasBars,
  type Cell,
  type Statistics,
  type StatisticsTableData,
} from "~/statistics/aggregate";
import { shownText } from "~/statistics/suppression";
import { EMPTY_CHART_NOTES, SMALL_CELL_NOTE } from "~/statistics/vocabulary";
import { ClientOnly } from "./client-only";
import { ScrollingTable } from "./scrolling-table";

const StatisticsChart = lazy(() => import("~/statistics/chart.client"));

const cellText = (cell: Cell) => (cell.kind === "text" ? cell.text : shownText(cell));

function Table({ table, csvHref }: { table: StatisticsTableData; csvHref: string }) {
  return (
    <section className="statistics-table" aria-labelledby={`${table.name}-title`}>
      <h2 id={`${table.name}-title`}>{table.title}</h2>
      {table.rows.length === 0 ? (
        <p>No final answers yet.</p>
      ) : (
        <>
          {chartHasBars(table.chart) ? (
            <ClientOnly>
              {() => (
                <Suspense fallback={null}>
                  <StatisticsChart chart={table.chart} title={table.title} />
                </Suspense>
              )}
            </ClientOnly>
          ) : (
            // Axes without bars would say nothing: say why instead, and what would draw them.
            <p className="chart-empty">{EMPTY_CHART_NOTES[table.name]}</p>
          )}
          <ScrollingTable
            label={table.title}
            className="statistics"
            columns={[table.rowHeading, ...table.columns]}
          >
            <tbody>
              {table.rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.label}</th>
                  {row.cells.map((cell, i) => (
                    <td key={i}>{cellText(cell)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
            {table.totals && (
              <tfoot>
                <tr>
                  <th scope="row">{table.totals.label}</th>
                  {table.totals.cells.map((cell, i) => (
                    <td key={i}>{cellText(cell)}</td>
                  ))}
                </tr>
              </tfoot>
            )}
          </ScrollingTable>
        </>
      )}
      <p className="no-print">
        <a href={`${csvHref}?table=${table.name}`} download>
          Download “{table.title}” as CSV
        </a>
      </p>
    </section>
  );
}

/** The chart library's styles, on the statistics pages only. */
export const statisticsLinks: LinksFunction = () => [{ rel: "stylesheet", href: uplotStyles }];

/** A statistics page: the way back, the title and what is counted, then the tables. */
export function StatisticsPage({
  back,
  title,
  intro,
  statistics,
  csvHref,
}: {
  back: { to: string; label: string };
  title: string;
  intro: ReactNode;
  statistics: Statistics;
  csvHref: string;
}) {
  return (
    <section className="panel wide">
      <p className="no-print">
        <Link to={back.to}>← {back.label}</Link>
      </p>
      <h1>{title}</h1>
      <p>{intro}</p>
      <StatisticsBody statistics={statistics} csvHref={csvHref} />
    </section>
  );
}

function StatisticsBody({ statistics, csvHref }: { statistics: Statistics; csvHref: string }) {
  return (
    <>
      <p>
        Analyses with a final answer: <strong>{shownText(statistics.records)}</strong>. Months are
        those in which the analysis was made. {SMALL_CELL_NOTE}
      </p>
      <ClientOnly>
        {() => (
          <p className="no-print">
            <button type="button" className="link-button" onClick={() => window.print()}>
              Print these statistics
            </button>
          </p>
        )}
      </ClientOnly>
      {statistics.tables.map((table) => (
        <Table key={table.name} table={table} csvHref={csvHref} />
      ))}
    </>
  );
}
