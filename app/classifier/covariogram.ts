/**
 * The covariogram of a smear: how fast the darkness of the field stops resembling itself as one
 * looks further away. The lag at which the ring-averaged autocorrelation falls to half its value
 * at lag 0 is a length set by the cells' size (for solid discs of diameter d it is 0.40 d; pale
 * centres and crowding change the factor), and it needs no threshold and no outline: a colour
 * shift that moves a cell's edge across a threshold leaves it where it is. Pure TypeScript on
 * plain arrays, as the rest of the capture normalisation, so the browser computes it too.
 */

/** Side of the grid the covariogram is computed on: the field is averaged down to it. */
export const COVARIOGRAM_GRID = 192;

/** Lags are followed out to this fraction of the grid's longer side. */
const MAX_LAG_FRACTION = 1 / 3;

/** Fewer field cells than this on the grid give no answer. */
const MIN_INSIDE = 64;

/** Darkness averaged over the blocks of a grid, with the blocks that lie wholly in the field. */
export type DarknessGrid = {
  width: number;
  height: number;
  /** Mean darkness of each block (row-major, width × height). */
  darkness: Float64Array;
  /** 1 where the block lies wholly inside the field. */
  inside: Uint8Array;
};

/** Twiddle factors of an n-point FFT: cos and sin of −2πk/n for k < n/2. */
type Twiddles = { n: number; cos: Float64Array; sin: Float64Array; reversed: Uint32Array };

const twiddleCache = new Map<number, Twiddles>();

function twiddles(n: number): Twiddles {
  let t = twiddleCache.get(n);
  if (t) return t;
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let k = 0; k < n / 2; k++) {
    cos[k] = Math.cos((-2 * Math.PI * k) / n);
    sin[k] = Math.sin((-2 * Math.PI * k) / n);
  }
  const reversed = new Uint32Array(n);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    reversed[i] = j;
  }
  t = { n, cos, sin, reversed };
  twiddleCache.set(n, t);
  return t;
}

const planeCache = new Map<number, { re: Float64Array; im: Float64Array }>();

/** The two n × n planes of the transform, zeroed, kept between calls (no garbage per photo). */
function planes(n: number) {
  let p = planeCache.get(n);
  if (!p) {
    p = { re: new Float64Array(n * n), im: new Float64Array(n * n) };
    planeCache.set(n, p);
  } else {
    p.re.fill(0);
    p.im.fill(0);
  }
  return p;
}

/**
 * In-place radix-2 FFT along the first axis of an n × width complex array (row-major, n a power
 * of two): every column at once, each butterfly applied to a whole pair of rows so that memory
 * is read along rows. `inverse` conjugates the twiddles and does not divide by n.
 */
function fftAlongRows(re: Float64Array, im: Float64Array, width: number, inverse: boolean) {
  const n = re.length / width;
  const { cos, sin, reversed } = twiddles(n);
  const swap = width > 1 ? new Float64Array(width) : undefined;
  for (let i = 1; i < n; i++) {
    const j = reversed[i]!;
    if (i >= j) continue;
    for (const a of [re, im]) {
      if (!swap) {
        const v = a[i]!;
        a[i] = a[j]!;
        a[j] = v;
        continue;
      }
      swap.set(a.subarray(i * width, i * width + width));
      a.copyWithin(i * width, j * width, j * width + width);
      a.set(swap, j * width);
    }
  }
  const sign = inverse ? -1 : 1;
  for (let length = 2; length <= n; length <<= 1) {
    const half = length >> 1;
    const stride = n / length;
    for (let start = 0; start < n; start += length) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * stride]!;
        const wi = sign * sin[k * stride]!;
        const p = (start + k) * width;
        const q = p + half * width;
        for (let x = 0; x < width; x++) {
          const qr = re[q + x]!;
          const qi = im[q + x]!;
          const tr = qr * wr - qi * wi;
          const ti = qr * wi + qi * wr;
          const pr = re[p + x]!;
          const pi = im[p + x]!;
          re[q + x] = pr - tr;
          im[q + x] = pi - ti;
          re[p + x] = pr + tr;
          im[p + x] = pi + ti;
        }
      }
    }
  }
}

/** In-place radix-2 FFT of one line (`inverse` without the 1/n). */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  fftAlongRows(re, im, 1, inverse);
}

/** FFT of the rows `rows` of an n × n complex array (in place). */
function fftRows(re: Float64Array, im: Float64Array, n: number, rows: number[], inverse: boolean) {
  for (const y of rows) fft(re.subarray(y * n, y * n + n), im.subarray(y * n, y * n + n), inverse);
}

/** FFT of every column of an n × n complex array (in place). */
function fftColumns(re: Float64Array, im: Float64Array, n: number, inverse: boolean) {
  fftAlongRows(re, im, n, inverse);
}

/**
 * The lag, in grid pixels, at which the ring-averaged autocorrelation of the (mean-removed)
 * darkness inside the field falls to half its value at lag 0; 0 when the field is too small
 * or the autocorrelation never falls to half within a third of the grid.
 *
 * Both autocorrelations it needs — of the darkness and of the field's mask, whose ratio is the
 * covariance per pair of field pixels at each lag — come from one complex FFT of
 * darkness + i·mask (the transforms of two real arrays are separated by their symmetry), zero-
 * padded to a power of two ≥ the grid's side plus the largest lag so that no lag wraps around;
 * rows that are all zero are not transformed, and the inverse is taken only on the rows of the
 * lags that are read.
 */
export function halfCovarianceLag(grid: DarknessGrid): number {
  const { width, height, darkness, inside } = grid;
  const maxLag = Math.ceil(Math.max(width, height) * MAX_LAG_FRACTION);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < inside.length; i++) {
    if (!inside[i]) continue;
    sum += darkness[i]!;
    count++;
  }
  if (count < MIN_INSIDE) return 0;
  const mean = sum / count;
  let n = 1;
  while (n < Math.max(width, height) + maxLag) n <<= 1;
  const { re, im } = planes(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!inside[i]) continue;
      re[y * n + x] = darkness[i]! - mean;
      im[y * n + x] = 1;
    }
  }
  const filled = Array.from({ length: height }, (_, y) => y);
  fftRows(re, im, n, filled, false);
  fftColumns(re, im, n, false);
  // Z = A + iB with A, B the transforms of the darkness and of the mask:
  // A(k) = (Z(k) + Z̄(−k)) / 2, B(k) = (Z(k) − Z̄(−k)) / 2i. Their power spectra |A|², |B|² are
  // real and even (the same at k and −k, so each pair is written in place), and one inverse of
  // |A|² + i|B|² gives both autocorrelations (real part, imaginary part).
  for (let y = 0; y < n; y++) {
    const my = (n - y) & (n - 1);
    for (let x = 0; x < n; x++) {
      const p = y * n + x;
      const q = my * n + ((n - x) & (n - 1));
      if (q < p) continue;
      const a = re[p]!;
      const b = im[p]!;
      const c = re[q]!;
      const d = im[q]!;
      const power = ((a + c) * (a + c) + (b - d) * (b - d)) / 4;
      const maskPower = ((b + d) * (b + d) + (a - c) * (a - c)) / 4;
      re[p] = re[q] = power;
      im[p] = im[q] = maskPower;
    }
  }
  fftColumns(re, im, n, true);
  const lagRows = [
    ...Array.from({ length: maxLag + 1 }, (_, y) => y),
    ...Array.from({ length: maxLag }, (_, k) => n - maxLag + k),
  ];
  fftRows(re, im, n, lagRows, true);
  // Covariance per pair of field pixels, averaged over rings of whole-pixel lags (the 1/n² of
  // the inverse transform cancels in the ratio; a lag with no pair of field pixels is skipped).
  const ring = new Float64Array(maxLag + 1);
  const ringPairs = new Float64Array(maxLag + 1);
  const noPair = (n * n) / 2;
  for (let dy = -maxLag; dy <= maxLag; dy++) {
    const row = ((dy + n) & (n - 1)) * n;
    for (let dx = -maxLag; dx <= maxLag; dx++) {
      const k = Math.round(Math.sqrt(dx * dx + dy * dy));
      if (k > maxLag) continue;
      const p = row + ((dx + n) & (n - 1));
      if (im[p]! < noPair) continue;
      ring[k]! += re[p]!;
      ringPairs[k]! += im[p]!;
    }
  }
  const at = (k: number) => ring[k]! / Math.max(ringPairs[k]!, 1);
  const half = at(0) / 2;
  for (let k = 1; k <= maxLag; k++) {
    if (at(k) < half) return k - 1 + (at(k - 1) - half) / (at(k - 1) - at(k));
  }
  return 0;
}
