/**
 * How steady is the red-cell ruler? On the validation smears only (never tune on the test
 * split), each smear's red-cell diameter is measured the way `normaliseCapture` measures it
 * (working copy, field of view, the scale-bar band left out, background fit, `measureCells`):
 * as is, under the evaluation's seeded colour jitter (±10 % from mulberry32(1010), ±25 % from
 * mulberry32(2020), in the same order as `measure` in evaluate.ts), and re-captured enlarged 2×
 * and shrunk 0.75× (where the diameter should follow by 2 and 0.75). Printed for the shipped
 * ruler and for candidate rulers that do not depend on the cells' outlines:
 *
 *   npx tsx scripts/model/ruler-stability.ts [--data ../shared/datasets/leukemia-all]
 */
import { parseArgs } from "node:util";
import { applyColourShift, randomShift } from "~/classifier/colour";
import {
  backgroundRow,
  findField,
  fitBackground,
  measureCells,
  rowValue,
  workingCopy,
  type Background,
  type Field,
} from "~/classifier/capture";
import { BOTTOM_CROP, type RgbImage } from "~/classifier/pixels";
import { loadDataset } from "./dataset";
import { mulberry32 } from "./random";
import { rescale } from "./recapture";

const { values } = parseArgs({
  options: { data: { type: "string", default: "../shared/datasets/leukemia-all" } },
});

/** What the pipeline measures on: the working copy, its field and background. */
type Measuring = { copy: RgbImage; factor: number; field: Field; bg: Background };

function measuring(image: RgbImage): Measuring {
  const { copy, factor } = workingCopy(image);
  const found = findField(copy);
  // As normaliseCapture: a rectangular frame's bottom band (the scale bar) is left out.
  const field =
    found.kind !== "full"
      ? found
      : {
          ...found,
          box: {
            ...found.box,
            height: Math.max(1, Math.floor(found.box.height * (1 - BOTTOM_CROP))),
          },
        };
  return { copy, factor, field, bg: fitBackground(copy, field) };
}

/** The shipped ruler, in image pixels. */
const shipped = (m: Measuring) => measureCells(m.copy, m.field, m.bg).redCellDiameter * m.factor;

// ── covariogram ─────────────────────────────────────────────────────────────────

/** Side of the grid the covariogram is computed on (the field is averaged down to it). */
const COVARIOGRAM_GRID = 192;

/**
 * Background-divided green darkness (as `measureCells` defines it) averaged over blocks of
 * `step` × `step` image pixels; blocks not wholly inside the field are left out.
 */
function darknessGrid(m: Measuring, step: number) {
  const { copy, field, bg } = m;
  const { box } = field;
  const width = Math.floor(box.width / step);
  const height = Math.floor(box.height / step);
  const sum = new Float64Array(width * height);
  const count = new Uint16Array(width * height);
  const row = new Float64Array(10);
  for (let y = 0; y < height * step; y++) {
    const iy = box.top + y;
    if (iy >= copy.height) break;
    backgroundRow(bg, iy, row);
    for (let x = 0; x < width * step; x++) {
      const ix = box.left + x;
      if (ix >= copy.width) break;
      if (
        field.circle &&
        (ix - field.circle.cx) ** 2 + (iy - field.circle.cy) ** 2 > field.circle.r ** 2
      )
        continue;
      const g = copy.data[(iy * copy.width + ix) * 3 + 1]! / Math.max(rowValue(row, 1, ix), 1);
      const cell = Math.floor(y / step) * width + Math.floor(x / step);
      sum[cell]! += 1 - g;
      count[cell]!++;
    }
  }
  const inside = new Uint8Array(width * height);
  for (let i = 0; i < inside.length; i++) inside[i] = count[i] === step * step ? 1 : 0;
  return { width, height, darkness: sum.map((s) => s / (step * step)), inside };
}

/** In-place radix-2 FFT of one line (`inverse` without the 1/n: only ratios are used). */
function fft(re: Float64Array, im: Float64Array, inverse: boolean) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let length = 2; length <= n; length <<= 1) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / length;
    const stepRe = Math.cos(angle);
    const stepIm = Math.sin(angle);
    for (let start = 0; start < n; start += length) {
      let wr = 1;
      let wi = 0;
      for (let k = 0; k < length / 2; k++) {
        const p = start + k;
        const q = p + length / 2;
        const tr = re[q]! * wr - im[q]! * wi;
        const ti = re[q]! * wi + im[q]! * wr;
        re[q] = re[p]! - tr;
        im[q] = im[p]! - ti;
        re[p]! += tr;
        im[p]! += ti;
        [wr, wi] = [wr * stepRe - wi * stepIm, wr * stepIm + wi * stepRe];
      }
    }
  }
}

/** Circular autocorrelation of an n × n array (n a power of two), in place. */
function autocorrelate(values: Float64Array, n: number): Float64Array {
  const im = new Float64Array(n * n);
  const lineRe = new Float64Array(n);
  const lineIm = new Float64Array(n);
  const pass = (inverse: boolean) => {
    for (const rows of [true, false]) {
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          const p = rows ? a * n + b : b * n + a;
          lineRe[b] = values[p]!;
          lineIm[b] = im[p]!;
        }
        fft(lineRe, lineIm, inverse);
        for (let b = 0; b < n; b++) {
          const p = rows ? a * n + b : b * n + a;
          values[p] = lineRe[b]!;
          im[p] = lineIm[b]!;
        }
      }
    }
  };
  pass(false);
  for (let p = 0; p < n * n; p++) {
    values[p] = values[p]! * values[p]! + im[p]! * im[p]!;
    im[p] = 0;
  }
  pass(true);
  return values;
}

/**
 * The lag, in image pixels, at which the radially averaged autocorrelation of the darkness
 * inside the field falls to half its value at lag 0: a set-covariance length of the cells,
 * independent of the image's gain and offset and of any threshold (for solid discs of
 * diameter d it is 0.40 d; pale centres and crowding change the factor, see `scale` below).
 */
function covarianceLength(m: Measuring): number {
  const step = Math.max(
    1,
    Math.ceil(Math.max(m.field.box.width, m.field.box.height) / COVARIOGRAM_GRID),
  );
  const { width, height, darkness, inside } = darknessGrid(m, step);
  const maxLag = Math.ceil(Math.max(width, height) / 3);
  let n = 1;
  while (n < Math.max(width, height) + maxLag) n <<= 1;
  const centred = new Float64Array(n * n);
  const mask = new Float64Array(n * n);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < inside.length; i++) {
    if (!inside[i]) continue;
    sum += darkness[i]!;
    count++;
  }
  if (count < 64) return 0;
  const mean = sum / count;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside[y * width + x]) continue;
      centred[y * n + x] = darkness[y * width + x]! - mean;
      mask[y * n + x] = 1;
    }
  }
  const covariance = autocorrelate(centred, n);
  const pairs = autocorrelate(mask, n);
  // Covariance per pair of field pixels, averaged over rings of whole-pixel lags.
  const ring = new Float64Array(maxLag + 1);
  const ringPairs = new Float64Array(maxLag + 1);
  for (let dy = -maxLag; dy <= maxLag; dy++) {
    for (let dx = -maxLag; dx <= maxLag; dx++) {
      const k = Math.round(Math.hypot(dx, dy));
      if (k > maxLag) continue;
      const p = ((dy + n) % n) * n + ((dx + n) % n);
      if (pairs[p]! < 1) continue;
      ring[k]! += covariance[p]!;
      ringPairs[k]! += pairs[p]!;
    }
  }
  const at = (k: number) => ring[k]! / Math.max(ringPairs[k]!, 1);
  const half = at(0) / 2;
  for (let k = 1; k <= maxLag; k++) {
    if (at(k) < half) return (k - 1 + (at(k - 1) - half) / (at(k - 1) - at(k))) * step * m.factor;
  }
  return 0;
}

// ── the comparison ──────────────────────────────────────────────────────────────

type Raw = { shipped: number; covariance: number };
type Ruler = { name: string; diameter: (raw: Raw) => number };

const samples = (await loadDataset(values.data!)).filter((s) => s.split === "validation");
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
];
const raw = conditions.map((c) =>
  c.images.map((image): Raw => {
    const m = measuring(image);
    return { shipped: shipped(m), covariance: covarianceLength(m) };
  }),
);

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : 0;
};
// The covariance length is brought to the shipped ruler's scale (the one the shipped model was
// trained at) by their median ratio on the as-is validation smears.
const scale = median(raw[0]!.map((r) => r.shipped / r.covariance));
const covariogram = (r: Raw) => r.covariance * scale;
/** The shipped measure, held within ±`band` of the covariogram's. */
const consensus = (band: number) => (r: Raw) =>
  Math.min(covariogram(r) * (1 + band), Math.max(covariogram(r) / (1 + band), r.shipped));
const rulers: Ruler[] = [
  { name: "shipped (area-weighted median of peak radii)", diameter: (r) => r.shipped },
  { name: `covariogram (half-covariance lag × ${scale.toFixed(3)})`, diameter: covariogram },
  ...[0.1, 0.2, 0.3].map((band) => ({
    name: `shipped held within ±${band * 100} % of the covariogram`,
    diameter: consensus(band),
  })),
];

const percent = (v: number) => `${(v * 100).toFixed(1)} %`;
console.log(`${samples.length} validation smears; covariogram scale ${scale.toFixed(3)}\n`);
for (const ruler of rulers) {
  const asIs = raw[0]!.map(ruler.diameter);
  const ratios = asIs.map((d, i) => d / raw[0]![i]!.shipped);
  const within = ratios.filter((r) => Math.abs(r - 1) <= 0.08).length;
  console.log(ruler.name);
  console.log(
    `  as is: median diameter ${median(asIs).toFixed(1)} px; against the shipped ruler: median ratio ${median(ratios).toFixed(3)}, ${percent(within / asIs.length)} within ±8 %`,
  );
  conditions.slice(1).forEach((c, k) => {
    const changes = raw[k + 1]!.map((r, i) =>
      Math.abs(ruler.diameter(r) / (c.expected * asIs[i]!) - 1),
    );
    console.log(
      `  ${c.name.padEnd(20)} moved > 8 %: ${changes.filter((v) => v > 0.08).length}, > 15 %: ${changes.filter((v) => v > 0.15).length}, median |change| ${percent(median(changes))}`,
    );
  });
}

// Cost on the largest working copy (MEASURE_MAX_SIDE): the first smears enlarged to 768 px.
const timed = images.slice(0, 20).map((i) => measuring(rescale(i, 768 / i.width)));
for (const [name, run] of [
  ["shipped measureCells", shipped],
  ["covariance length", covarianceLength],
] as const) {
  const start = performance.now();
  for (const m of timed) run(m);
  console.log(
    `${name}: ${((performance.now() - start) / timed.length).toFixed(1)} ms per 768-px working copy`,
  );
}
