/**
 * The learning curves of a training job, drawn with uPlot (~50 KB, loaded only on the job page):
 * loss and accuracy per batch (training) and per epoch (training and validation).
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";

export type CurvePoints = {
  /** x: fractional epoch of each batch (epoch − 1 + batch / batches). */
  batches: { x: number; loss: number; accuracy: number }[];
  epochs: {
    epoch: number;
    trainLoss: number;
    trainAccuracy: number;
    validationLoss: number | null;
    validationAccuracy: number | null;
  }[];
};

function Chart({
  title,
  series,
  data,
}: {
  title: string;
  series: { label: string; stroke: string; dash?: number[] }[];
  data: uPlot.AlignedData;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    if (!box.current) return;
    const width = Math.max(260, Math.min(box.current.clientWidth || 600, 720));
    plot.current = new uPlot(
      {
        title,
        width,
        height: 220,
        scales: { x: { time: false } },
        axes: [{ label: "epoch" }, {}],
        series: [
          { label: "epoch" },
          ...series.map((s) => ({ ...s, width: 2, spanGaps: true, points: { show: false } })),
        ],
      },
      data,
      box.current,
    );
    return () => plot.current?.destroy();
    // Created once; new points go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);
  return <div ref={box} className="chart" role="img" aria-label={title} />;
}

/** Batch points and epoch points on one x axis (gaps where a series has no value). */
function aligned(points: CurvePoints, pick: "loss" | "accuracy"): uPlot.AlignedData {
  const rows = [
    ...points.batches.map((b) => ({ x: b.x, batch: b[pick], train: null, validation: null })),
    ...points.epochs.map((e) => ({
      x: e.epoch,
      batch: null,
      train: pick === "loss" ? e.trainLoss : e.trainAccuracy,
      validation: pick === "loss" ? e.validationLoss : e.validationAccuracy,
    })),
  ].sort((a, b) => a.x - b.x);
  return [
    rows.map((r) => r.x),
    rows.map((r) => r.batch),
    rows.map((r) => r.train),
    rows.map((r) => r.validation),
  ] as uPlot.AlignedData;
}

const SERIES = [
  { label: "training (per batch)", stroke: "#c9a3b4" },
  { label: "training (epoch)", stroke: "#9b1032" },
  { label: "validation (epoch)", stroke: "#1b5e8c", dash: [6, 4] },
];

export default function Curves({ points }: { points: CurvePoints }) {
  return (
    <div className="curves">
      <Chart title="Loss" series={SERIES} data={aligned(points, "loss")} />
      <Chart title="Accuracy" series={SERIES} data={aligned(points, "accuracy")} />
    </div>
  );
}
