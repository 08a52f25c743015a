/**
 * How steady is the red-cell ruler? On the validation smears only (never tune on the test
 * split), each smear's red-cell diameter is measured the way `normaliseCapture` measures it
 * (working copy, field of view, the scale-bar band left out, background fit, `measureCells`):
 * as is, under the evaluation's seeded colour jitter (±10 % from mulberry32(1010), ±25 % from
 * mulberry32(2020), in the same order as `measure` in evaluate.ts), and re-captured enlarged 2×
 * and shrunk 0.75× (where the diameter should follow by 2 and 0.75), and through the evaluation's
 * simulated eyepiece (2.5×, a round stop; the view is the smear's centre). Printed for the shipped
 * ruler and for candidate rulers that do not depend on the cells' outlines:
 *
 *   npx tsx scripts/model/ruler-stability.ts [--data ../shared/datasets/leukemia-all]
 */
import { parseArgs } from "node:util";
import { applyColourShift, randomShift } from "~/classifier/colour";
import {
  captureField,
  COVARIOGRAM_DIAMETER,
  covariogramDiameter,
  fitBackground,
  measureCells,
  workingCopy,
  type Background,
  type Field,
} from "~/classifier/capture";
import type { RgbImage } from "~/classifier/pixels";
import { loadDataset } from "./dataset";
import { mulberry32 } from "./random";
import { cropTop, EVAL_EYEPIECE, eyepiece, rescale } from "./recapture";

const { values } = parseArgs({
  options: { data: { type: "string", default: "../shared/datasets/leukemia-all" } },
});

/** What the pipeline measures on: the working copy, its field and background. */
type Measuring = { copy: RgbImage; factor: number; field: Field; bg: Background };

function measuring(image: RgbImage): Measuring {
  const { copy, factor } = workingCopy(image);
  const field = captureField(copy);
  return { copy, factor, field, bg: fitBackground(copy, field) };
}

/** The outline ruler (the shipped one), in image pixels. */
const outline = (m: Measuring) => measureCells(m.copy, m.field, m.bg).redCellDiameter * m.factor;

/** The covariogram's half-covariance lag, in image pixels (its diameter before the constant). */
const covarianceLength = (m: Measuring) =>
  (covariogramDiameter(m.copy, m.field, m.bg) * m.factor) / COVARIOGRAM_DIAMETER;

// ── the comparison ──────────────────────────────────────────────────────────────

type Raw = { shipped: number; covariance: number };
type Ruler = { name: string; diameter: (raw: Raw) => number };

const dataset = await loadDataset(values.data!);
const samples = dataset.filter((s) => s.split === "validation");
const images = samples.map((s) => s.image);
const shifted = (seed: number, amount: number) => {
  const random = mulberry32(seed);
  return images.map((image) => ({
    ...image,
    data: applyColourShift(
      image.data,
      randomShift(random, amount),
      new Uint8Array(image.data.length),
    ),
  }));
};
const conditions = [
  { name: "as is", expected: 1, images },
  { name: "±10 % colour jitter", expected: 1, images: shifted(1010, 0.1) },
  { name: "±25 % colour shifts", expected: 1, images: shifted(2020, 0.25) },
  { name: "enlarged 2×", expected: 2, images: images.map((i) => rescale(i, 2)) },
  { name: "shrunk 0.75×", expected: 0.75, images: images.map((i) => rescale(i, 0.75)) },
  {
    name: "through the eyepiece",
    expected: EVAL_EYEPIECE.enlarge,
    images: images.map((i) => eyepiece(cropTop(i, Math.floor(i.height * (6 / 7))), EVAL_EYEPIECE)),
  },
];
const raw = conditions.map((c) =>
  c.images.map((image): Raw => {
    const m = measuring(image);
    return { shipped: outline(m), covariance: covarianceLength(m) };
  }),
);

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : 0;
};
// The covariance length is brought to the outline ruler's scale (the one the shipped model was
// trained at) by `COVARIOGRAM_DIAMETER`, their median ratio on the training smears, refitted here.
const fitted = median(
  dataset
    .filter((s) => s.split === "train")
    .map((s) => {
      const m = measuring(s.image);
      return outline(m) / covarianceLength(m);
    }),
);
const validationRatio = median(raw[0]!.map((r) => r.shipped / r.covariance));
const scale = COVARIOGRAM_DIAMETER;
const covariogram = (r: Raw) => r.covariance * scale;
/** The shipped measure, held within ±`band` of the covariogram's. */
const consensus = (band: number) => (r: Raw) =>
  Math.min(covariogram(r) * (1 + band), Math.max(covariogram(r) / (1 + band), r.shipped));
const rulers: Ruler[] = [
  { name: "outline, shipped (area-weighted median of peak radii)", diameter: (r) => r.shipped },
  { name: `covariogram (half-covariance lag × ${scale.toFixed(3)})`, diameter: covariogram },
  ...[0.1, 0.2, 0.3].map((band) => ({
    name: `shipped held within ±${band * 100} % of the covariogram`,
    diameter: consensus(band),
  })),
];

const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
console.log(
  `${samples.length} validation smears; covariogram scale ${scale.toFixed(3)} (median outline / lag on the training smears: ${fitted.toFixed(3)}, on the validation smears: ${validationRatio.toFixed(3)})\n`,
);
for (const ruler of rulers) {
  const asIs = raw[0]!.map(ruler.diameter);
  const ratios = asIs.map((d, i) => d / raw[0]![i]!.shipped);
  const within = ratios.filter((r) => Math.abs(r - 1) <= 0.08).length;
  console.log(ruler.name);
  console.log(
    `  as is: median diameter ${median(asIs).toFixed(1)} px; against the shipped ruler: median ratio ${median(ratios).toFixed(3)}, ${percent(within / asIs.length)} within ±8 %`,
  );
  conditions.slice(1).forEach((c, k) => {
    const ratios = raw[k + 1]!.map((r, i) => ruler.diameter(r) / (c.expected * asIs[i]!));
    const changes = ratios.map((v) => Math.abs(v - 1));
    console.log(
      `  ${c.name.padEnd(20)} moved > 8 %: ${changes.filter((v) => v > 0.08).length}, > 15 %: ${changes.filter((v) => v > 0.15).length}, median |change| ${percent(median(changes))}, median ratio ${median(ratios).toFixed(3)}`,
    );
  });
}

// Cost on the largest working copy (MEASURE_MAX_SIDE): the first 50 smears enlarged to 768 px, in
// wall time and in this process's CPU time (steadier on a shared machine).
const timed = images.slice(0, 50).map((i) => measuring(rescale(i, 768 / i.width)));
for (const [name, run] of [
  ["outline measureCells", outline],
  ["covariogram", covarianceLength],
] as const) {
  for (const m of timed.slice(0, 5)) run(m);
  const start = performance.now();
  const cpu = process.cpuUsage();
  for (const m of timed) run(m);
  const { user, system } = process.cpuUsage(cpu);
  console.log(
    `${name}: ${((performance.now() - start) / timed.length).toFixed(1)} ms wall, ${((user + system) / 1000 / timed.length).toFixed(1)} ms CPU per 768-px working copy`,
  );
}
