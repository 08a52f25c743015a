/**
 * A statistics table drawn as grouped bars with uPlot (already the lab's chart library; ~50 KB,
 * loaded only on the statistics pages). uPlot shares one x array between its series, so each
 * series gets x positions of its own beside each category (null elsewhere) and the bar width
 * follows that spacing. Suppressed counts arrive as null and are not drawn. The chart follows
 * its box's width (a ResizeObserver), so it redraws when the window is resized.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import type { Chart } from "./aggregate";

const COLOURS = [
  "#1b5e8c",
  "#9b1032",
  "#d17a00",
  "#5a3e99",
  "#2e7d32",
  "#6d6d6d",
  "#00838f",
  "#ad1457",
];

const HEIGHT = 260;

/** The chart's width: its box's, within what a bar chart of a few categories reads well at. */
const widthIn = (element: HTMLElement) => Math.max(260, Math.min(element.clientWidth || 640, 1200));

export default function StatisticsChart({ chart, title }: { chart: Chart; title: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current || chart.categories.length === 0) return;
    const n = chart.series.length;
    const step = 0.8 / n;
    const offset = (s: number) => (s - (n - 1) / 2) * step;
    const xs = chart.categories.flatMap((_, k) => chart.series.map((_s, s) => k + offset(s)));
    const data: uPlot.AlignedData = [
      xs,
      ...chart.series.map((series, s) =>
        chart.categories.flatMap((_, k) =>
          chart.series.map((_t, t) => (t === s ? (series.values[k] ?? null) : null)),
        ),
      ),
    ];
    const element = box.current;
    const bars = uPlot.paths.bars!({ size: [0.9, 40], align: 0 });
    const plot = new uPlot(
      {
        title,
        width: widthIn(element),
        height: HEIGHT,
        scales: {
          x: { time: false, range: [-0.6, chart.categories.length - 0.4] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] },
        },
        axes: [
          {
            splits: () => chart.categories.map((_, k) => k),
            values: (_u, splits) => splits.map((k) => chart.categories[k] ?? ""),
          },
          { label: chart.unit },
        ],
        // A key of the series without the hover read-out ("--" on a static chart).
        legend: { show: true, live: false },
        series: [
          { label: "" },
          ...chart.series.map((series, s) => ({
            label: series.label,
            fill: COLOURS[s % COLOURS.length],
            stroke: COLOURS[s % COLOURS.length],
            paths: bars,
            points: { show: false },
          })),
        ],
      },
      data,
      element,
    );
    // Redraw at the box's new width when the window (or the layout) changes size.
    const resized = new ResizeObserver(() => {
      const width = widthIn(element);
      if (width !== plot.width) plot.setSize({ width, height: HEIGHT });
    });
    resized.observe(element);
    return () => {
      resized.disconnect();
      plot.destroy();
    };
  }, [chart, title]);
  return <div ref={box} className="chart" aria-hidden="true" />;
}
