/**
 * Capture normalisation: bring a photo of a smear, from whatever microscope, camera or phone,
 * to the pixels the model was trained on. Pure TypeScript on plain arrays, shared by training,
 * the server and the browser, so every side computes the same numbers from the same pixels.
 *
 *  1. field of view — a round eyepiece stop or a dark border is found and excluded;
 *  2. flat field and white balance — the smear's own background (glass, plasma) is fitted as a
 *     smooth surface per channel and divided out, so the background becomes the training set's
 *     neutral background colour and a vignetted rim is as bright as the centre;
 *  3. physical scale — the red cells (about 7.5 µm, the most reliable ruler a smear carries) are
 *     measured and the field is resampled so that a red cell has its training-set size;
 *  4. tiles of the normalised field, ranked by how much white-cell nucleus they hold.
 * What was measured is returned with the pixels, so the verdict can name why it refuses.
 */
import { COVARIOGRAM_GRID, halfCovarianceLag, type DarknessGrid } from "./covariogram";
import { BOTTOM_CROP, resizeAreaTo, type Region, type RgbImage } from "./pixels";

/** Smallest side, in pixels, of a photo worth normalising (the upload intake refuses smaller). */
export const MIN_SIDE = 64;

/** Model tile side, in pixels. */
export const TILE = 128;

/**
 * Median red-cell diameter of the training smears, in model pixels, as measured by
 * `measureCells` on the training images (whose model view is their 192-px field at 2/3).
 * Fields are resampled so that their red cells have this diameter.
 */
export const MODEL_RED_CELL_DIAMETER = 17;

/** Background colour of the training smears after flat-fielding (sRGB). */
export const TARGET_BACKGROUND: readonly [number, number, number] = [226, 222, 228];

/**
 * Longest side of the working copy used for measuring (large photos are measured smaller: a
 * phone photo's red cells still measure 20–40 px at this size, and measuring is the costly
 * part of the normalisation).
 */
export const MEASURE_MAX_SIDE = 768;

/** Longest side a photo is decoded to on the server (detail for the model's resampled field). */
export const DECODE_MAX_SIDE = 2048;

export type FieldKind = "full" | "circle" | "box";

export type Field = {
  kind: FieldKind;
  /** Bounding box of the usable field, in image pixels. */
  box: Region;
  /** For a round stop: centre and usable radius, in image pixels. */
  circle?: { cx: number; cy: number; r: number };
};

/** A smooth per-channel background surface: c(x, y) = Σ coefficients × [1, x, y, x², y², xy]. */
export type Background = {
  coefficients: [number[], number[], number[]];
  /** Mean background colour of the photo before correction. */
  colour: [number, number, number];
  /** Centre and half-extent used to scale coordinates to [-1, 1]. */
  origin: { x: number; y: number; half: number };
};

export type CellMeasures = {
  /** Median red-cell diameter in image pixels (0 when none was found). */
  redCellDiameter: number;
  /** Spread of red-cell sizes: interquartile range over median. */
  redCellSpread: number;
  redCells: number;
  whiteCells: number;
  /** Fraction of the field that is background (glass / plasma). */
  backgroundFraction: number;
  /** Fraction of cell pixels with a Romanowsky stain colour (pink red cells, purple nuclei). */
  stainedFraction: number;
  /** Fraction of the found cell shapes that are round (area close to a disc of their radius). */
  roundFraction: number;
};

export type CaptureMeasures = CellMeasures & {
  field: FieldKind;
  /** Image pixels per model pixel is 1 / scale. */
  scale: number;
  /** Mean |Laplacian| of luma on the normalised tiles over their contrast (focus). */
  focus: number;
  /** Tiles analysed and the normalised field size, in model pixels. */
  tiles: number;
  fieldWidth: number;
  fieldHeight: number;
  /** Fraction of the first tile covered by the photo's field (the rest is padded background). */
  coverage: number;
  /** Luma of the photo's background before correction (exposure). */
  backgroundLuma: number;
};

export type Tile = { x: number; y: number; pixels: Uint8Array; nucleus: number; inField: number };

export type NormalisedCapture = {
  measures: CaptureMeasures;
  /** The normalised field at model scale, RGB, fieldWidth × fieldHeight. */
  field: RgbImage;
  /** Where the normalised field sits in the original image. */
  region: Region;
  tiles: Tile[];
};

const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;
const luma = (d: ArrayLike<number>, i: number) =>
  LUMA_R * d[i]! + LUMA_G * d[i + 1]! + LUMA_B * d[i + 2]!;

// ── 1. field of view ────────────────────────────────────────────────────────────

/**
 * Find the bright field of a photo: the whole frame, a round eyepiece stop, or the box inside a
 * dark border. Works on a coarse grid of blocks so cells do not matter: a block inside the field
 * always holds some bright background.
 */
export function findField(image: RgbImage): Field {
  const { width, height, data } = image;
  const full: Field = { kind: "full", box: { left: 0, top: 0, width, height } };
  const block = Math.max(2, Math.round(Math.max(width, height) / 48));
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const bright = new Float32Array(cols * rows);
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      let max = 0;
      let second = 0;
      const y1 = Math.min(height, (by + 1) * block);
      const x1 = Math.min(width, (bx + 1) * block);
      for (let y = by * block; y < y1; y += 2) {
        for (let x = bx * block; x < x1; x += 2) {
          const v = luma(data, (y * width + x) * 3);
          if (v > max) [max, second] = [v, max];
          else if (v > second) second = v;
        }
      }
      bright[by * cols + bx] = second;
    }
  }
  const reference = percentile(bright, 0.9);
  if (reference < 20) return full;
  // Outside the field: very dark blocks connected to the frame's edge (a stop or a border);
  // dark blocks inside the field (a stained nucleus filling a block) stay inside.
  const dark = (i: number) => bright[i]! < 0.35 * reference;
  const outside = new Uint8Array(cols * rows);
  const stack: number[] = [];
  for (let i = 0; i < outside.length; i++) {
    const bx = i % cols;
    const by = (i - bx) / cols;
    const onEdge = bx === 0 || by === 0 || bx === cols - 1 || by === rows - 1;
    if (onEdge && dark(i)) {
      outside[i] = 1;
      stack.push(i);
    }
  }
  while (stack.length) {
    const i = stack.pop()!;
    const bx = i % cols;
    for (const j of [bx > 0 ? i - 1 : -1, bx < cols - 1 ? i + 1 : -1, i - cols, i + cols]) {
      if (j < 0 || j >= outside.length || outside[j] || !dark(j)) continue;
      outside[j] = 1;
      stack.push(j);
    }
  }
  const inside = new Uint8Array(cols * rows);
  let count = 0;
  for (let i = 0; i < inside.length; i++) {
    if (!outside[i]) {
      inside[i] = 1;
      count++;
    }
  }
  if (count >= 0.97 * inside.length) return full;
  if (count < 0.1 * inside.length) return full;

  // Boundary blocks of the field that are not on the frame's edge: points on the stop's rim.
  const xs: number[] = [];
  const ys: number[] = [];
  let minX = cols;
  let minY = rows;
  let maxX = -1;
  let maxY = -1;
  for (let by = 0; by < rows; by++) {
    for (let bx = 0; bx < cols; bx++) {
      if (!inside[by * cols + bx]) continue;
      minX = Math.min(minX, bx);
      maxX = Math.max(maxX, bx);
      minY = Math.min(minY, by);
      maxY = Math.max(maxY, by);
      if (bx === 0 || by === 0 || bx === cols - 1 || by === rows - 1) continue;
      const edge =
        !inside[by * cols + bx - 1] ||
        !inside[by * cols + bx + 1] ||
        !inside[(by - 1) * cols + bx] ||
        !inside[(by + 1) * cols + bx];
      if (edge) {
        xs.push((bx + 0.5) * block);
        ys.push((by + 0.5) * block);
      }
    }
  }
  const box: Region = {
    left: minX * block,
    top: minY * block,
    width: Math.min(width, (maxX + 1) * block) - minX * block,
    height: Math.min(height, (maxY + 1) * block) - minY * block,
  };
  const circle = xs.length >= 12 ? fitCircle(xs, ys) : undefined;
  if (circle && circle.rms < 0.06 * circle.r && circle.r > 0.2 * Math.min(width, height)) {
    // Stay clear of the rim, where vignetting and the stop's blurred edge are strongest.
    const r = circle.r * 0.94 - block;
    const left = Math.max(0, Math.floor(circle.cx - r));
    const top = Math.max(0, Math.floor(circle.cy - r));
    const right = Math.min(width, Math.ceil(circle.cx + r));
    const bottom = Math.min(height, Math.ceil(circle.cy + r));
    return {
      kind: "circle",
      box: { left, top, width: right - left, height: bottom - top },
      circle: { cx: circle.cx, cy: circle.cy, r },
    };
  }
  // Dark only in a patch (a burned-in label, a painted corner): the frame is still the field.
  if (box.width >= 0.95 * width && box.height >= 0.95 * height) return full;
  const inset = block;
  return {
    kind: "box",
    box: {
      left: box.left + inset,
      top: box.top + inset,
      width: Math.max(1, box.width - 2 * inset),
      height: Math.max(1, box.height - 2 * inset),
    },
  };
}

/** Algebraic (Kåsa) least-squares circle through points, with the RMS radial residual. */
export function fitCircle(xs: number[], ys: number[]) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let suu = 0;
  let svv = 0;
  let suv = 0;
  let suuu = 0;
  let svvv = 0;
  let suvv = 0;
  let svuu = 0;
  for (let i = 0; i < n; i++) {
    const u = xs[i]! - mx;
    const v = ys[i]! - my;
    suu += u * u;
    svv += v * v;
    suv += u * v;
    suuu += u * u * u;
    svvv += v * v * v;
    suvv += u * v * v;
    svuu += v * u * u;
  }
  const det = suu * svv - suv * suv;
  if (Math.abs(det) < 1e-9) return undefined;
  const a = (suuu + suvv) / 2;
  const b = (svvv + svuu) / 2;
  const uc = (a * svv - b * suv) / det;
  const vc = (b * suu - a * suv) / det;
  const r = Math.sqrt(uc * uc + vc * vc + (suu + svv) / n);
  const cx = uc + mx;
  const cy = vc + my;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.hypot(xs[i]! - cx, ys[i]! - cy) - r;
    sq += d * d;
  }
  return { cx, cy, r, rms: Math.sqrt(sq / n) };
}

/** Is image pixel (x, y) inside the usable field? */
export function inField(field: Field, x: number, y: number): boolean {
  const { box, circle } = field;
  if (x < box.left || y < box.top || x >= box.left + box.width || y >= box.top + box.height)
    return false;
  if (!circle) return true;
  const dx = x - circle.cx;
  const dy = y - circle.cy;
  return dx * dx + dy * dy <= circle.r * circle.r;
}

// ── 2. flat field and white balance ─────────────────────────────────────────────

const BASIS = 6;
function basis(u: number, v: number, out: Float64Array) {
  out[0] = 1;
  out[1] = u;
  out[2] = v;
  out[3] = u * u;
  out[4] = v * v;
  out[5] = u * v;
}

/**
 * Fit the smear's background: in each block of the field, the brightest quarter of pixels is
 * glass or plasma; a quadratic surface per channel is fitted to those block colours (twice,
 * dropping blocks much darker than the fit: blocks packed with cells hold no true background).
 */
export function fitBackground(image: RgbImage, field: Field): Background {
  const { width, data } = image;
  const { box } = field;
  const half = Math.max(box.width, box.height) / 2;
  const origin = { x: box.left + box.width / 2, y: box.top + box.height / 2, half };
  const block = Math.max(4, Math.round(Math.max(box.width, box.height) / 12));
  const samples: { u: number; v: number; rgb: [number, number, number] }[] = [];
  const hist = new Uint32Array(256);
  const { circle } = field;
  for (let by = box.top; by < box.top + box.height; by += block) {
    for (let bx = box.left; bx < box.left + box.width; bx += block) {
      hist.fill(0);
      const y1 = Math.min(box.top + box.height, by + block);
      const x1 = Math.min(box.left + box.width, bx + block);
      const step = block > 24 ? 2 : 1;
      // A block is used only when wholly inside a round stop (its corners inside the circle).
      if (
        circle &&
        !(
          inField(field, bx, by) &&
          inField(field, x1 - 1, by) &&
          inField(field, bx, y1 - 1) &&
          inField(field, x1 - 1, y1 - 1)
        )
      )
        continue;
      let count = 0;
      for (let y = by; y < y1; y += step) {
        for (let x = bx; x < x1; x += step) {
          hist[luma(data, (y * width + x) * 3) | 0]!++;
          count++;
        }
      }
      if (count < 8) continue;
      // The brightest quarter of the block's pixels.
      let cut = 255;
      for (let seen = 0; cut > 0; cut--) {
        seen += hist[cut]!;
        if (seen >= count / 4) break;
      }
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let y = by; y < y1; y += step) {
        for (let x = bx; x < x1; x += step) {
          const i = (y * width + x) * 3;
          if ((luma(data, i) | 0) < cut) continue;
          r += data[i]!;
          g += data[i + 1]!;
          b += data[i + 2]!;
          n++;
        }
      }
      if (n === 0) continue;
      samples.push({
        u: ((bx + x1) / 2 - origin.x) / half,
        v: ((by + y1) / 2 - origin.y) / half,
        rgb: [r / n, g / n, b / n],
      });
    }
  }
  let use = samples;
  let coefficients = fitSurface(use);
  for (let pass = 0; pass < 2 && samples.length > 2 * BASIS; pass++) {
    const residual = samples.map((s) => lumaOf(s.rgb) / lumaOf(evaluate(coefficients, s.u, s.v)));
    const keep = samples.filter((_, i) => residual[i]! > 0.9);
    if (keep.length < BASIS * 2) break;
    use = keep;
    coefficients = fitSurface(use);
  }
  const colour = [0, 1, 2].map(
    (c) => use.reduce((a, s) => a + s.rgb[c]!, 0) / Math.max(1, use.length),
  ) as [number, number, number];
  return { coefficients, colour, origin };
}

const lumaOf = (rgb: ArrayLike<number>) => luma(rgb, 0);

function fitSurface(
  samples: { u: number; v: number; rgb: [number, number, number] }[],
): [number[], number[], number[]] {
  // Too few blocks for a quadratic: a flat colour (the mean).
  if (samples.length < BASIS * 2) {
    const mean = [0, 1, 2].map(
      (c) => samples.reduce((a, s) => a + s.rgb[c]!, 0) / Math.max(1, samples.length) || 200,
    );
    return mean.map((m) => [m, 0, 0, 0, 0, 0]) as [number[], number[], number[]];
  }
  const ata = new Float64Array(BASIS * BASIS);
  const atb = [new Float64Array(BASIS), new Float64Array(BASIS), new Float64Array(BASIS)];
  const row = new Float64Array(BASIS);
  for (const s of samples) {
    basis(s.u, s.v, row);
    for (let i = 0; i < BASIS; i++) {
      for (let j = 0; j < BASIS; j++) ata[i * BASIS + j]! += row[i]! * row[j]!;
      for (let c = 0; c < 3; c++) atb[c]![i]! += row[i]! * s.rgb[c]!;
    }
  }
  // A little ridge keeps the curvature terms tame when the blocks cover the field unevenly.
  for (let i = 3; i < BASIS; i++) ata[i * BASIS + i]! += samples.length * 0.02;
  return atb.map((b) => solve(ata, b)) as [number[], number[], number[]];
}

/** Gaussian elimination with partial pivoting for the small normal equations. */
function solve(a: Float64Array, b: Float64Array): number[] {
  const n = b.length;
  const m = Array.from({ length: n }, (_, i) => [...a.slice(i * n, i * n + n), b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const p = m[col]![col]! || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / p;
      for (let k = col; k <= n; k++) m[r]![k]! -= f * m[col]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / (row[i]! || 1e-12));
}

const basisRow = new Float64Array(BASIS);
function evaluate(coefficients: [number[], number[], number[]], u: number, v: number) {
  basis(u, v, basisRow);
  return coefficients.map((k) => {
    let s = 0;
    for (let i = 0; i < BASIS; i++) s += k[i]! * basisRow[i]!;
    return s;
  }) as [number, number, number];
}

/**
 * The background surface along one image row, as per-channel quadratics in x: cheap to
 * evaluate per pixel without allocating (the hot loop of flat-fielding).
 */
export function backgroundRow(bg: Background, y: number, out: Float64Array): void {
  const v = (y - bg.origin.y) / bg.origin.half;
  const h = bg.origin.half;
  for (let c = 0; c < 3; c++) {
    const k = bg.coefficients[c]!;
    // c(u) = k0 + k1 u + k2 v + k3 u² + k4 v² + k5 u v, with u = (x - ox) / h.
    const a = k[0]! + k[2]! * v + k[4]! * v * v;
    const b = k[1]! + k[5]! * v;
    const q = k[3]!;
    // In x: a + b (x - ox)/h + q (x - ox)²/h²  →  store a, b/h, q/h² and ox.
    out[c * 3] = a;
    out[c * 3 + 1] = b / h;
    out[c * 3 + 2] = q / (h * h);
  }
  out[9] = bg.origin.x;
}

/** Evaluate a channel of `backgroundRow`'s output at x. */
export function rowValue(row: Float64Array, c: number, x: number): number {
  const dx = x - row[9]!;
  return row[c * 3]! + row[c * 3 + 1]! * dx + row[c * 3 + 2]! * dx * dx;
}

/** Background colour at image pixel (x, y). */
export function backgroundAt(bg: Background, x: number, y: number): [number, number, number] {
  return evaluate(
    bg.coefficients,
    (x - bg.origin.x) / bg.origin.half,
    (y - bg.origin.y) / bg.origin.half,
  );
}

// ── 3. cells and physical scale ─────────────────────────────────────────────────

/**
 * Find the cells of a smear on a flat-fielded working copy and measure them. Cells are what is
 * darker than the background (Otsu's threshold on darkness); the pale centres of red cells are
 * filled; the distance transform's local maxima sit at cell centres with the cell's radius as
 * their value, also where cells touch. White cells are the large purple, dark nuclei.
 */
export function measureCells(image: RgbImage, field: Field, bg: Background): CellMeasures {
  const { width, height, data } = image;
  const n = width * height;
  const darkness = new Float32Array(n);
  // How purple each pixel is, kept only as the two tests made of it (bit 1: > 4, bit 2: > 8),
  // on the float32 value the tests read before: a byte per pixel instead of four.
  const purple = new Uint8Array(n);
  const valid = new Uint8Array(n);
  let fieldPixels = 0;
  const row = new Float64Array(10);
  // `inField` and `rowValue`, unrolled: the box's rows and columns only, the circle's test and
  // the background quadratics written out (the same expressions, so the same numbers).
  const { box, circle } = field;
  const [T0, T1, T2] = TARGET_BACKGROUND;
  const xFrom = Math.max(0, Math.ceil(box.left));
  const xTo = Math.min(width, Math.ceil(box.left + box.width));
  const yFrom = Math.max(0, Math.ceil(box.top));
  const yTo = Math.min(height, Math.ceil(box.top + box.height));
  for (let y = yFrom; y < yTo; y++) {
    backgroundRow(bg, y, row);
    const [a0, b0, q0, a1, b1, q1, a2, b2, q2, ox] = row as unknown as number[];
    const dy = circle ? y - circle.cy : 0;
    for (let x = xFrom; x < xTo; x++) {
      const p = y * width + x;
      if (circle) {
        const dx = x - circle.cx;
        if (dx * dx + dy * dy > circle.r * circle.r) continue;
      }
      valid[p] = 1;
      fieldPixels++;
      const dx = x - ox!;
      const br = a0! + b0! * dx + q0! * dx * dx;
      const bgG = a1! + b1! * dx + q1! * dx * dx;
      const bb = a2! + b2! * dx + q2! * dx * dx;
      const r = (data[p * 3]! / Math.max(br, 1)) * T0;
      const g = (data[p * 3 + 1]! / Math.max(bgG, 1)) * T1;
      const b = (data[p * 3 + 2]! / Math.max(bb, 1)) * T2;
      // Red cells and nuclei both absorb green most: the green channel carries their contrast.
      darkness[p] = 1 - g / TARGET_BACKGROUND[1];
      const violet = Math.fround((r + b) / 2 - g);
      purple[p] = (violet > 4 ? 1 : 0) | (violet > 8 ? 2 : 0);
    }
  }
  const empty: CellMeasures = {
    redCellDiameter: 0,
    redCellSpread: 1,
    redCells: 0,
    whiteCells: 0,
    backgroundFraction: 1,
    stainedFraction: 0,
    roundFraction: 0,
  };
  if (fieldPixels < 64) return empty;
  // Otsu first splits off the darkest class (nuclei, or cells on a pale smear); a second Otsu
  // below it separates red cells from the background.
  const first = otsu(darkness, valid, 0);
  const threshold = Math.min(0.3, Math.max(0.06, otsu(darkness, valid, first)));
  const cells = new Uint8Array(n);
  let cellPixels = 0;
  let stained = 0;
  for (let p = 0; p < n; p++) {
    if (valid[p] && darkness[p]! > threshold) {
      cells[p] = 1;
      cellPixels++;
      if (purple[p]! & 1) stained++;
    }
  }
  // A field with (almost) no background is no smear to measure: black, blank or all cells.
  if (cellPixels > fieldPixels * 0.97 || cellPixels < 16)
    return { ...empty, backgroundFraction: 1 - cellPixels / fieldPixels };
  // One flood-fill stack and visited mask for the hole filling and the nucleus components.
  const stack = new Int32Array(n);
  const seen = new Uint8Array(n);
  fillHoles(cells, valid, width, height, Math.max(16, fieldPixels * 0.04), stack, seen);
  const distance = distanceTransform(cells, width, height);
  const peaks = cellCentres(distance, width, height);
  const radii = peaks.map((p) => p.r).sort((a, b) => a - b);
  // Weighted by area: the many small maxima on the ridges of irregular or overlapping shapes
  // weigh little beside the centres of whole cells.
  const weighted = weightedMedian(
    radii,
    radii.map((r) => r * r),
  );
  // Nuclei: clearly darker than a red cell and purple (Romanowsky-stained chromatin).
  // (Pale, lightly stained nuclei — as in some of the training hospital's pro-B smears — must count:
  // set on the training images so that each of their fields, which all hold a white cell, has one.)
  const nucleusDarkness = Math.max(threshold + 0.1, 0.25);
  const nucleus = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    if (valid[p] && darkness[p]! > nucleusDarkness && (purple[p]! & 2) !== 0) nucleus[p] = 1;
  }
  const median = radii.length ? weighted : 0;
  const redRadius = median;
  const nucleusAreas = componentAreas(nucleus, width, stack, seen.fill(0));
  const minNucleus = Math.PI * redRadius * redRadius * 0.35;
  const whiteCells = redRadius > 0 ? nucleusAreas.filter((a) => a >= minNucleus).length : 0;
  // Red cells: peaks of about the median size (white cells and clumps are larger).
  const red = radii.filter((r) => r >= median * 0.6 && r <= median * 1.5);
  const round = roundShare(cells, distance, peaks, width, height, median);
  return {
    redCellDiameter: median > 0 ? 2 * median + 1 : 0,
    redCellSpread:
      radii.length >= 4 ? (quantileSorted(radii, 0.75) - quantileSorted(radii, 0.25)) / median : 1,
    redCells: red.length,
    whiteCells,
    backgroundFraction: 1 - cellPixels / fieldPixels,
    stainedFraction: cellPixels ? stained / cellPixels : 0,
    roundFraction: round,
  };
}

/**
 * Red-cell diameter over the covariogram's half-covariance lag: the median ratio of the outline
 * measure (`measureCells`) to the lag on the 1948 training smears, which puts the covariogram's
 * diameter on the outline measure's scale on average (refitted by
 * `scripts/model/ruler-stability.ts`).
 */
export const COVARIOGRAM_DIAMETER = 2.676;

/**
 * The background-divided green darkness (as `measureCells` defines it) averaged over blocks of
 * `step` × `step` pixels of the field's box; a block not wholly inside the field (the round
 * stop, the image's edge) is marked outside.
 */
export function darknessGrid(image: RgbImage, field: Field, bg: Background, step: number) {
  const { box, circle } = field;
  const width = Math.floor(box.width / step);
  const height = Math.floor(box.height / step);
  const sum = new Float64Array(width * height);
  const outside = new Uint8Array(width * height);
  const row = new Float64Array(10);
  const { data } = image;
  const r2 = circle ? circle.r * circle.r : 0;
  for (let gy = 0; gy < height; gy++) {
    const base = gy * width;
    for (let sy = 0; sy < step; sy++) {
      const iy = box.top + gy * step + sy;
      if (iy >= image.height) {
        outside.fill(1, base);
        break;
      }
      backgroundRow(bg, iy, row);
      const [, , , a1, b1, q1, , , , ox] = row as unknown as number[];
      const dy2 = circle ? (iy - circle.cy) ** 2 : 0;
      for (let gx = 0, ix = box.left; gx < width; gx++) {
        let s = 0;
        for (let sx = 0; sx < step; sx++, ix++) {
          if (ix >= image.width) {
            outside.fill(1, base + gx, base + width);
            gx = width;
            break;
          }
          if (circle && (ix - circle.cx) ** 2 + dy2 > r2) {
            outside[base + gx] = 1;
            continue;
          }
          const dx = ix - ox!;
          s +=
            1 -
            data[(iy * image.width + ix) * 3 + 1]! / Math.max(a1! + b1! * dx + q1! * dx * dx, 1);
        }
        if (gx < width) sum[base + gx]! += s;
      }
    }
  }
  const inside = new Uint8Array(width * height);
  const darkness = new Float64Array(width * height);
  for (let i = 0; i < inside.length; i++) {
    inside[i] = outside[i] ? 0 : 1;
    darkness[i] = sum[i]! / (step * step);
  }
  return { width, height, darkness, inside } satisfies DarknessGrid;
}

/**
 * The red-cell diameter read from the covariogram of the field's darkness (on the field
 * averaged down to at most `COVARIOGRAM_GRID` pixels a side), in the image's pixels; 0 when it
 * has no answer (a field too small, or darkness that never decorrelates to half).
 */
export function covariogramDiameter(image: RgbImage, field: Field, bg: Background): number {
  const step = Math.max(
    1,
    Math.ceil(Math.max(field.box.width, field.box.height) / COVARIOGRAM_GRID),
  );
  return halfCovarianceLag(darknessGrid(image, field, bg, step)) * step * COVARIOGRAM_DIAMETER;
}

/** Fraction of peaks whose disc of radius r is mostly cell: round cells, not strands or edges. */
function roundShare(
  cells: Uint8Array,
  distance: Float32Array,
  peaks: { x: number; y: number; r: number }[],
  width: number,
  height: number,
  median: number,
): number {
  const sized = peaks.filter((p) => p.r >= median * 0.6 && p.r <= median * 1.5);
  if (sized.length === 0) return 0;
  let round = 0;
  for (const p of sized) {
    // Sample the ring at 1.25 r: a round isolated or touching cell has background (or another
    // cell's edge) there in most directions, and cell at 0.7 r in every direction.
    let insideHits = 0;
    for (let k = 0; k < 12; k++) {
      const a = (k * Math.PI) / 6;
      const x = Math.round(p.x + Math.cos(a) * p.r * 0.7);
      const y = Math.round(p.y + Math.sin(a) * p.r * 0.7);
      if (x >= 0 && y >= 0 && x < width && y < height && cells[y * width + x]) insideHits++;
    }
    if (insideHits >= 11) round++;
  }
  void distance;
  return round / sized.length;
}

/** Otsu's threshold over the valid pixels of a 0–1 map (256 bins), below `below` if > 0. */
function otsu(values: Float32Array, valid: Uint8Array, below: number): number {
  const bins = 256;
  const hist = new Float64Array(bins);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (!valid[i]) continue;
    if (below > 0 && values[i]! >= below) continue;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(values[i]! * bins)));
    hist[b]!++;
    total++;
  }
  let sum = 0;
  for (let b = 0; b < bins; b++) sum += b * hist[b]!;
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let threshold = 0;
  for (let b = 0; b < bins; b++) {
    wB += hist[b]!;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += b * hist[b]!;
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      threshold = b;
    }
  }
  return (threshold + 0.5) / bins;
}

/**
 * Fill background components enclosed by cells, smaller than `maxArea` and round: the pale
 * centres of red cells. The gaps between packed cells are enclosed too, but angular (three or
 * more cells meeting), so they stay background and packed cells stay apart.
 */
function fillHoles(
  cells: Uint8Array,
  valid: Uint8Array,
  width: number,
  height: number,
  maxArea: number,
  stack: Int32Array,
  seen: Uint8Array,
) {
  const n = cells.length;
  // One typed stack (`stack`, n long: the background component alone can hold most of the
  // field) and one member list for every component; a component is filled only when it has
  // at most `maxArea` pixels, so no more members than that are kept.
  const members = new Int32Array(Math.min(n, Math.floor(maxArea) + 1));
  for (let start = 0; start < n; start++) {
    if (cells[start] || seen[start] || !valid[start]) continue;
    stack[0] = start;
    let top = 1;
    seen[start] = 1;
    let count = 0;
    let touchesEdge = false;
    let perimeter = 0;
    while (top > 0) {
      const p = stack[--top]!;
      if (count < members.length) members[count] = p;
      count++;
      const x = p % width;
      const y = (p - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) touchesEdge = true;
      let boundary = false;
      for (let k = 0; k < 4; k++) {
        if ((k === 0 && x === 0) || (k === 1 && x === width - 1)) continue;
        const q = k === 0 ? p - 1 : k === 1 ? p + 1 : k === 2 ? p - width : p + width;
        if (q < 0 || q >= n) continue;
        if (!valid[q]) {
          touchesEdge = true;
          continue;
        }
        if (cells[q]) {
          boundary = true;
          continue;
        }
        if (seen[q]) continue;
        seen[q] = 1;
        stack[top++] = q;
      }
      if (boundary) perimeter++;
    }
    if (touchesEdge || count > maxArea) continue;
    // Compactness of a pixel disc by boundary-pixel count: ≈ π·r² / (2π·r·0.9)² → use area vs
    // the area of a disc with this boundary length; round holes score near 1, angular ones less.
    const discArea = (perimeter * perimeter) / (4 * Math.PI) / 0.81;
    const round = count <= 12 || count / discArea >= 0.6;
    if (round) for (let i = 0; i < count; i++) cells[members[i]!] = 1;
  }
}

/** Areas of the 4-connected components of a mask (`stack` and a cleared `seen`, mask-sized). */
function componentAreas(
  mask: Uint8Array,
  width: number,
  stack: Int32Array,
  seen: Uint8Array,
): number[] {
  const areas: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    seen[start] = 1;
    stack[0] = start;
    let top = 1;
    let area = 0;
    while (top > 0) {
      const p = stack[--top]!;
      area++;
      const x = p % width;
      if (x > 0 && mask[p - 1] && !seen[p - 1]) {
        seen[p - 1] = 1;
        stack[top++] = p - 1;
      }
      if (x < width - 1 && mask[p + 1] && !seen[p + 1]) {
        seen[p + 1] = 1;
        stack[top++] = p + 1;
      }
      if (p >= width && mask[p - width] && !seen[p - width]) {
        seen[p - width] = 1;
        stack[top++] = p - width;
      }
      if (p + width < mask.length && mask[p + width] && !seen[p + width]) {
        seen[p + width] = 1;
        stack[top++] = p + width;
      }
    }
    areas.push(area);
  }
  return areas;
}

/**
 * Exact Euclidean distance from each cell pixel to the nearest non-cell pixel (Felzenszwalb).
 *
 * The first (vertical) pass of a binary mask is the squared distance to the nearest non-cell
 * pixel of the same column, found by one scan down and one up over whole rows; the second
 * (horizontal) pass is Felzenszwalb's lower envelope of parabolas along each row. Every value is
 * an integer below 2^53, so the result is the exact minimum, the same to the bit as running the
 * envelope in both directions.
 */
export function distanceTransform(mask: Uint8Array, width: number, height: number): Float32Array {
  const INF = 1e12;
  const n = width * height;
  const grid = new Float64Array(n);
  // Down: squared distance to the last non-cell pixel above (or at) each pixel.
  const last = new Int32Array(width).fill(-1);
  for (let y = 0, p = 0; y < height; y++) {
    for (let x = 0; x < width; x++, p++) {
      if (!mask[p]) {
        last[x] = y;
        grid[p] = 0;
      } else {
        const l = last[x]!;
        grid[p] = l < 0 ? INF : (y - l) * (y - l);
      }
    }
  }
  // Up: the nearest non-cell pixel below, if nearer.
  const next = last.fill(-1);
  for (let y = height - 1, p = n - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--, p--) {
      if (!mask[p]) {
        next[x] = y;
        continue;
      }
      const l = next[x]!;
      if (l >= 0) {
        const d = (l - y) * (l - y);
        if (d < grid[p]!) grid[p] = d;
      }
    }
  }
  const d = new Float64Array(width);
  const v = new Int32Array(width);
  const z = new Float64Array(width + 1);
  const out = new Float32Array(n);
  const cap = width + height;
  for (let y = 0; y < height; y++) {
    const base = y * width;
    let k = 0;
    v[0] = 0;
    z[0] = -Infinity;
    z[1] = Infinity;
    for (let q = 1; q < width; q++) {
      const fq = grid[base + q]! + q * q;
      let s = (fq - (grid[base + v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
      while (s <= z[k]!) {
        k--;
        s = (fq - (grid[base + v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
      }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = Infinity;
    }
    k = 0;
    for (let q = 0; q < width; q++) {
      while (z[k + 1]! < q) k++;
      d[q] = (q - v[k]!) * (q - v[k]!) + grid[base + v[k]!]!;
    }
    for (let q = 0; q < width; q++) out[base + q] = Math.min(cap, Math.sqrt(d[q]!));
  }
  return out;
}

/** Local maxima of the distance map, one per cell: a peak suppresses others within its radius. */
function cellCentres(distance: Float32Array, width: number, height: number) {
  const candidates: { x: number; y: number; r: number }[] = [];
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const p = y * width + x;
      const v = distance[p]!;
      if (v < 2) continue;
      if (
        v >= distance[p - 1]! &&
        v >= distance[p + 1]! &&
        v >= distance[p - width]! &&
        v >= distance[p + width]! &&
        v >= distance[p - width - 1]! &&
        v >= distance[p - width + 1]! &&
        v >= distance[p + width - 1]! &&
        v >= distance[p + width + 1]!
      )
        candidates.push({ x, y, r: v });
    }
  }
  candidates.sort((a, b) => b.r - a.r);
  const kept: { x: number; y: number; r: number }[] = [];
  const cell = 8;
  const buckets = new Map<number, { x: number; y: number; r: number }[]>();
  const key = (bx: number, by: number) => by * 100_000 + bx;
  const maxR = candidates[0]?.r ?? 0;
  const reach = Math.min(Math.ceil(maxR / cell), Math.ceil(Math.max(width, height) / cell));
  for (const c of candidates) {
    const bx = Math.floor(c.x / cell);
    const by = Math.floor(c.y / cell);
    let suppressed = false;
    for (let dy = -reach; dy <= reach && !suppressed; dy++) {
      for (let dx = -reach; dx <= reach && !suppressed; dx++) {
        for (const k of buckets.get(key(bx + dx, by + dy)) ?? []) {
          const limit = Math.max(k.r, c.r) * 0.9;
          if ((k.x - c.x) ** 2 + (k.y - c.y) ** 2 < limit * limit) {
            suppressed = true;
            break;
          }
        }
      }
    }
    if (suppressed) continue;
    kept.push(c);
    const list = buckets.get(key(bx, by)) ?? [];
    list.push(c);
    buckets.set(key(bx, by), list);
  }
  return kept;
}

// ── 4. the normalised field and its tiles ───────────────────────────────────────

const UNMEASURED: CellMeasures = {
  redCellDiameter: 0,
  redCellSpread: 0,
  redCells: 0,
  whiteCells: 0,
  backgroundFraction: 0,
  stainedFraction: 0,
  roundFraction: 0,
};

export type NormaliseOptions = {
  /** Drop the bottom seventh of a rectangular frame (the training set's scale-bar band). */
  dropScaleBar?: boolean;
  /** Override the measured red-cell diameter (image pixels), e.g. for training at known scale. */
  redCellDiameter?: number;
};

/** A working copy of at most `MEASURE_MAX_SIDE` pixels on its longer side, and its factor. */
export function workingCopy(image: RgbImage): { copy: RgbImage; factor: number } {
  const longest = Math.max(image.width, image.height);
  if (longest <= MEASURE_MAX_SIDE) return { copy: image, factor: 1 };
  const factor = longest / MEASURE_MAX_SIDE;
  const width = Math.max(1, Math.round(image.width / factor));
  const height = Math.max(1, Math.round(image.height / factor));
  const data = resizeAreaTo(
    image,
    { left: 0, top: 0, width: image.width, height: image.height },
    width,
    height,
  );
  return { copy: { width, height, data }, factor: image.width / width };
}

/**
 * The field measured and shown to the model: `findField`'s, where a rectangular frame's bottom
 * band (the training images' scale bar) is left out of everything — measuring, the background
 * fit and the model's view — unless `dropScaleBar` is false.
 */
export function captureField(image: RgbImage, dropScaleBar = true): Field {
  const found = findField(image);
  if (found.kind !== "full" || !dropScaleBar) return found;
  const height = Math.max(1, Math.floor(found.box.height * (1 - BOTTOM_CROP)));
  return { ...found, box: { ...found.box, height } };
}

/**
 * Normalise a decoded photo: field, flat field and white balance, scale from the red cells,
 * resampled field at model scale, and tiles ranked by white-cell nucleus content.
 */
export function normaliseCapture(
  image: RgbImage,
  options: NormaliseOptions = {},
): NormalisedCapture {
  const { copy, factor } = workingCopy(image);
  const copyField = captureField(copy, options.dropScaleBar !== false);
  const bg = fitBackground(copy, copyField);
  // Training passes the diameter it knows; measuring is the costly part.
  const cells = options.redCellDiameter ? UNMEASURED : measureCells(copy, copyField, bg);
  const diameter = options.redCellDiameter ?? cells.redCellDiameter * factor;
  const scale = diameter > 0 ? MODEL_RED_CELL_DIAMETER / diameter : 2 / 3;

  // The field in full-resolution coordinates.
  const box = scaleRegion(copyField.box, factor, image);
  const fieldWidth = Math.max(1, Math.round(box.width * scale));
  const fieldHeight = Math.max(1, Math.round(box.height * scale));
  // Resample from the working copy when it holds enough detail (model pixels no finer than its
  // pixels): one pass over a large photo instead of two.
  const resampled =
    factor > 1 && scale * factor <= 1
      ? resizeAreaTo(copy, scaleRegion(box, 1 / factor, copy), fieldWidth, fieldHeight)
      : resizeAreaTo(image, box, fieldWidth, fieldHeight);
  const circle = copyField.circle && {
    cx: (copyField.circle.cx * factor - box.left) * scale,
    cy: (copyField.circle.cy * factor - box.top) * scale,
    r: copyField.circle.r * factor * scale,
  };
  // Flat field: divide by the background surface (fitted on the copy), mapped to model pixels.
  const data = resampled;
  const nucleus = new Uint8Array(fieldWidth * fieldHeight);
  const inside = new Uint8Array(fieldWidth * fieldHeight);
  const bgLuma = lumaOf(TARGET_BACKGROUND);
  const row = new Float64Array(10);
  for (let y = 0; y < fieldHeight; y++) {
    const cy = (box.top + (y + 0.5) / scale) / factor;
    backgroundRow(bg, cy, row);
    const [a0, b0, q0, a1, b1, q1, a2, b2, q2, ox] = row as unknown as number[];
    for (let x = 0; x < fieldWidth; x++) {
      const p = y * fieldWidth + x;
      const o = p * 3;
      if (circle && (x + 0.5 - circle.cx) ** 2 + (y + 0.5 - circle.cy) ** 2 > circle.r * circle.r) {
        data[o] = TARGET_BACKGROUND[0];
        data[o + 1] = TARGET_BACKGROUND[1];
        data[o + 2] = TARGET_BACKGROUND[2];
        continue;
      }
      inside[p] = 1;
      // `rowValue` written out, as in measureCells.
      const dx = (box.left + (x + 0.5) / scale) / factor - ox!;
      const br = a0! + b0! * dx + q0! * dx * dx;
      const bgG = a1! + b1! * dx + q1! * dx * dx;
      const bb = a2! + b2! * dx + q2! * dx * dx;
      const r = clampByte((data[o]! / Math.max(br, 1)) * TARGET_BACKGROUND[0]);
      const g = clampByte((data[o + 1]! / Math.max(bgG, 1)) * TARGET_BACKGROUND[1]);
      const b = clampByte((data[o + 2]! / Math.max(bb, 1)) * TARGET_BACKGROUND[2]);
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
      const dark = 1 - (LUMA_R * r + LUMA_G * g + LUMA_B * b) / bgLuma;
      if (dark > 0.35 && (r + b) / 2 - g > 12) nucleus[p] = 1;
    }
  }
  const field: RgbImage = { width: fieldWidth, height: fieldHeight, data };
  const tiles = cutTiles(field, nucleus, inside);
  const first = tiles[0];
  return {
    measures: {
      ...cells,
      redCellDiameter: round2(cells.redCellDiameter * factor),
      field: copyField.kind,
      scale: round4(scale),
      focus: tiles.length ? round2(median(tiles.map((t) => focusOf(t.pixels)))) : 0,
      tiles: tiles.length,
      fieldWidth,
      fieldHeight,
      coverage: first ? round2(first.inField) : 0,
      backgroundLuma: round2(lumaOf(bg.colour)),
    },
    field,
    region: box,
    tiles,
  };
}

/** At most this many tiles are analysed per image (the most nucleus-rich of them). */
export const MAX_TILES = 6;

/**
 * Tiles of TILE × TILE over the field, overlapping by half; a field smaller than a tile is
 * centred on a background-coloured tile. Tiles are ranked by nucleus pixels, then by how much
 * of them is inside the photo's field.
 */
export function cutTiles(field: RgbImage, nucleus: Uint8Array, inside: Uint8Array): Tile[] {
  const xs = positions(field.width);
  const ys = positions(field.height);
  const nucleusSum = integral(nucleus, field.width, field.height);
  const insideSum = integral(inside, field.width, field.height);
  const candidates: Omit<Tile, "pixels">[] = [];
  for (const y of ys) {
    for (const x of xs) {
      candidates.push({
        x,
        y,
        nucleus: boxSum(nucleusSum, field.width, field.height, x, y) / (TILE * TILE),
        inField: boxSum(insideSum, field.width, field.height, x, y) / (TILE * TILE),
      });
    }
  }
  candidates.sort((a, b) => b.nucleus - a.nucleus || b.inField - a.inField);
  const usable = candidates.filter((t) => t.inField >= 0.6);
  // About as many tiles as the field holds without overlap: a camera frame gets one or two, a
  // phone photo of a whole field up to MAX_TILES.
  const budget = Math.min(
    MAX_TILES,
    Math.max(1, Math.round((field.width * field.height) / (TILE * TILE))),
  );
  return (usable.length ? usable : candidates.slice(0, 1))
    .slice(0, budget)
    .map((t) => ({ ...t, pixels: tilePixels(field, t.x, t.y) }));
}

/** The TILE × TILE pixels at (x, y) of the field; outside it, the background colour. */
function tilePixels(field: RgbImage, x: number, y: number): Uint8Array {
  const pixels = new Uint8Array(TILE * TILE * 3);
  for (let ty = 0; ty < TILE; ty++) {
    const fy = y + ty;
    for (let tx = 0; tx < TILE; tx++) {
      const fx = x + tx;
      const o = (ty * TILE + tx) * 3;
      if (fx < 0 || fy < 0 || fx >= field.width || fy >= field.height) {
        pixels[o] = TARGET_BACKGROUND[0];
        pixels[o + 1] = TARGET_BACKGROUND[1];
        pixels[o + 2] = TARGET_BACKGROUND[2];
        continue;
      }
      const p = (fy * field.width + fx) * 3;
      pixels[o] = field.data[p]!;
      pixels[o + 1] = field.data[p + 1]!;
      pixels[o + 2] = field.data[p + 2]!;
    }
  }
  return pixels;
}

/** Summed-area table of a 0/1 mask, (width + 1) × (height + 1). */
function integral(mask: Uint8Array, width: number, height: number): Int32Array {
  const sum = new Int32Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += mask[y * width + x]!;
      sum[(y + 1) * (width + 1) + x + 1] = sum[y * (width + 1) + x + 1]! + row;
    }
  }
  return sum;
}

/** Sum of the mask over the tile at (x, y), clipped to the field. */
function boxSum(sum: Int32Array, width: number, height: number, x: number, y: number): number {
  const x0 = Math.max(0, x);
  const y0 = Math.max(0, y);
  const x1 = Math.min(width, x + TILE);
  const y1 = Math.min(height, y + TILE);
  if (x1 <= x0 || y1 <= y0) return 0;
  const w = width + 1;
  return sum[y1 * w + x1]! - sum[y0 * w + x1]! - sum[y1 * w + x0]! + sum[y0 * w + x0]!;
}

function positions(length: number): number[] {
  if (length <= TILE) return [Math.floor((length - TILE) / 2)];
  const count = Math.ceil((length - TILE) / (TILE / 2)) + 1;
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - TILE)) / (count - 1)));
}

/** Focus: mean |Laplacian| of luma over the luma standard deviation (scale-free). */
export function focusOf(pixels: Uint8Array): number {
  const size = Math.round(Math.sqrt(pixels.length / 3));
  const l = new Float32Array(size * size);
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < l.length; i++) {
    const v = luma(pixels, i * 3);
    l[i] = v;
    sum += v;
    sq += v * v;
  }
  const mean = sum / l.length;
  const std = Math.sqrt(Math.max(sq / l.length - mean * mean, 0)) + 1;
  let lap = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      lap += Math.abs(4 * l[i]! - l[i - 1]! - l[i + 1]! - l[i - size]! - l[i + size]!);
    }
  }
  return lap / ((size - 2) * (size - 2)) / std;
}

// ── helpers ─────────────────────────────────────────────────────────────────────

function scaleRegion(r: Region, factor: number, image: RgbImage): Region {
  const left = Math.max(0, Math.floor(r.left * factor));
  const top = Math.max(0, Math.floor(r.top * factor));
  return {
    left,
    top,
    width: Math.max(1, Math.min(image.width - left, Math.round(r.width * factor))),
    height: Math.max(1, Math.min(image.height - top, Math.round(r.height * factor))),
  };
}

const clampByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
const round2 = (v: number) => Math.round(v * 100) / 100;
const round4 = (v: number) => Math.round(v * 10000) / 10000;

function percentile(values: Float32Array, q: number): number {
  return quantileSorted(
    Array.from(values).sort((a, b) => a - b),
    q,
  );
}
function quantileOf(values: number[], q: number): number {
  return quantileSorted(
    [...values].sort((a, b) => a - b),
    q,
  );
}
function quantileSorted(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
/** Median of sorted values with weights. */
function weightedMedian(sorted: number[], weights: number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < sorted.length; i++) {
    seen += weights[i]!;
    if (seen >= total / 2) return sorted[i]!;
  }
  return sorted[sorted.length - 1] ?? 0;
}
function median(values: number[]): number {
  return quantileOf(values, 0.5);
}
