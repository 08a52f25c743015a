/**
 * Pixel primitives shared by training, the server and the browser: our own area-average resize,
 * per-channel standardisation, the square's symmetries. Pure TypeScript on plain arrays, so every
 * side computes exactly the same numbers from the same pixels.
 */

/** Decoded, oriented pixels: RGB, row-major, 3 bytes per pixel. */
export type RgbImage = { width: number; height: number; data: Uint8Array };

export type Region = { left: number; top: number; width: number; height: number };

/**
 * The fraction of the height dropped at the bottom of a rectangular frame. The training images
 * carry a scale bar in their bottom-right corner (the last ~30 of 224 rows); dropping the bottom
 * seventh removes it whatever its style, so the model never sees it.
 */
export const BOTTOM_CROP = 1 / 7;

/**
 * Area-average ("box") resize of a region of an RGB image to size×size. Each output
 * pixel is the coverage-weighted mean of the input pixels under it, so downscaling
 * antialiases and the result does not depend on the decoder's own resampler.
 */
export function resizeArea(image: RgbImage, region: Region, size: number): Uint8Array {
  return resizeAreaTo(image, region, size, size);
}

/**
 * Area-average resize of a region to outWidth × outHeight (up or down). Separable: each region
 * row is resampled to outWidth columns (as float32), and each output row is the weighted sum of
 * the resampled rows under it. The resampled rows are made as the output rows need them, into a
 * ring of a few rows (not one buffer for the whole region: for a 2048-px photo that was 14 MB to
 * allocate and clear per call); every value is the same sum, in the same order.
 */
export function resizeAreaTo(
  image: RgbImage,
  region: Region,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  const { data, width } = image;
  const size = outWidth;
  const line = size * 3;
  const { start, from, weights } = boxWeights(region.left, region.width, size);
  // Each horizontal weight's pixel offset within a row, computed once.
  const offsets = new Int32Array(weights.length);
  for (let x = 0; x < size; x++) {
    for (let k = from[x]!, j = 0; k < from[x + 1]!; k++, j++) offsets[k] = (start[x]! + j) * 3;
  }
  const yw = boxWeights(0, region.height, outHeight);
  let taps = 1;
  for (let y = 0; y < outHeight; y++) taps = Math.max(taps, yw.from[y + 1]! - yw.from[y]!);
  const ringRows = taps + 1;
  const ring = new Float32Array(ringRows * line);
  let made = 0;
  /** Horizontal pass of region row `y` into its ring slot. */
  const makeRow = (y: number) => {
    const inRow = (region.top + y) * width * 3;
    let o = (y % ringRows) * line;
    let k = 0;
    for (let x = 0; x < size; x++, o += 3) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const end = from[x + 1]!; k < end; k++) {
        const w = weights[k]!;
        const i = inRow + offsets[k]!;
        r += data[i]! * w;
        g += data[i + 1]! * w;
        b += data[i + 2]! * w;
      }
      ring[o] = r;
      ring[o + 1] = g;
      ring[o + 2] = b;
    }
  };
  const out = new Uint8Array(line * outHeight);
  const rowAt = new Int32Array(taps);
  for (let y = 0; y < outHeight; y++) {
    const first = yw.start[y]!;
    const k0 = yw.from[y]!;
    const count = yw.from[y + 1]! - k0;
    while (made < first + count) makeRow(made++);
    for (let j = 0; j < count; j++) rowAt[j] = ((first + j) % ringRows) * line;
    for (let x = 0; x < size; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const c = x * 3;
      for (let j = 0; j < count; j++) {
        const w = yw.weights[k0 + j]!;
        const i = rowAt[j]! + c;
        r += ring[i]! * w;
        g += ring[i + 1]! * w;
        b += ring[i + 2]! * w;
      }
      const o = (y * size + x) * 3;
      out[o] = clampByte(r);
      out[o + 1] = clampByte(g);
      out[o + 2] = clampByte(b);
    }
  }
  return out;
}

/**
 * For each output pixel i, the first input pixel it covers (`start[i]`) and the weights of
 * the pixels it covers, `weights[from[i]] … weights[from[i + 1] - 1]` (flat typed arrays:
 * the inner loops of a 2000-pixel-wide resize stay tight).
 */
type BoxWeights = { start: Int32Array; from: Int32Array; weights: Float64Array };

function boxWeights(offset: number, extent: number, size: number): BoxWeights {
  const scale = extent / size;
  const start = new Int32Array(size);
  const from = new Int32Array(size + 1);
  const all: number[] = [];
  for (let i = 0; i < size; i++) {
    const lo = i * scale;
    const hi = Math.min(extent, lo + scale);
    const first = Math.min(Math.floor(lo), extent - 1);
    const last = Math.min(Math.max(first, Math.ceil(hi) - 1), extent - 1);
    const covers: number[] = [];
    for (let p = first; p <= last; p++)
      covers.push(Math.max(0, Math.min(hi, p + 1) - Math.max(lo, p)));
    const total = covers.reduce((a, b) => a + b, 0);
    start[i] = offset + first;
    from[i] = all.length;
    for (const c of covers) all.push(c / total);
  }
  from[size] = all.length;
  return { start, from, weights: Float64Array.from(all) };
}

const clampByte = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/**
 * Standardise each channel over the image (zero mean, unit variance). This removes
 * brightness, contrast and per-channel stain intensity, which vary between labs and
 * cameras, and keeps the batch-norm statistics well scaled.
 */
export function standardise(pixels: Uint8Array, out: Float32Array, offset = 0): void {
  const n = pixels.length / 3;
  for (let c = 0; c < 3; c++) {
    let sum = 0;
    let sumSq = 0;
    for (let i = c; i < pixels.length; i += 3) {
      const v = pixels[i]!;
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / n;
    const std = Math.sqrt(Math.max(sumSq / n - mean * mean, 0)) + 4;
    for (let i = c; i < pixels.length; i += 3) out[offset + i] = (pixels[i]! - mean) / std;
  }
}

/** The 8 symmetries of a square: 90° rotations k = 0–3, each with and without a mirror. */
export const DIHEDRAL: [number, boolean][] = [0, 1, 2, 3].flatMap((k) => [
  [k, false] as [number, boolean],
  [k, true] as [number, boolean],
]);

/** Rotate an S×S RGB image by k×90° and optionally mirror it. */
export function orient(pixels: Uint8Array, size: number, k: number, mirror: boolean): Uint8Array {
  if (k === 0 && !mirror) return pixels;
  const out = new Uint8Array(pixels.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sx = mirror ? size - 1 - x : x;
      let sy = y;
      for (let r = 0; r < k; r++) [sx, sy] = [sy, size - 1 - sx];
      const i = (sy * size + sx) * 3;
      const o = (y * size + x) * 3;
      out[o] = pixels[i]!;
      out[o + 1] = pixels[i + 1]!;
      out[o + 2] = pixels[i + 2]!;
    }
  }
  return out;
}
