/** Image statistics behind the "can't assess" verdict, computed on the model's view. */

export type ImageStats = {
  /** Mean luma, 0–255. */
  brightness: number;
  /** Standard deviation of luma. */
  contrast: number;
  /** Mean absolute Laplacian of luma: low for blurred or flat images. */
  sharpness: number;
  /** Mean of (R + B) / 2 − G: Romanowsky stains (purple, pink) are positive, most photos are not. */
  stain: number;
  /** Fraction of pixels whose neighbourhood is perfectly flat: high for screenshots and drawings. */
  flatFraction: number;
};

export function imageStats(pixels: Uint8Array, size: number): ImageStats {
  const n = size * size;
  const luma = new Float32Array(n);
  let sum = 0;
  let sumSq = 0;
  let stain = 0;
  for (let i = 0; i < n; i++) {
    const r = pixels[i * 3]!;
    const g = pixels[i * 3 + 1]!;
    const b = pixels[i * 3 + 2]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    luma[i] = y;
    sum += y;
    sumSq += y * y;
    stain += (r + b) / 2 - g;
  }
  let lap = 0;
  let flat = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const l = Math.abs(
        4 * luma[i]! - luma[i - 1]! - luma[i + 1]! - luma[i - size]! - luma[i + size]!,
      );
      lap += l;
      if (l < 0.5) flat++;
    }
  }
  const mean = sum / n;
  return {
    brightness: mean,
    contrast: Math.sqrt(Math.max(sumSq / n - mean * mean, 0)),
    sharpness: lap / ((size - 2) * (size - 2)),
    stain: stain / n,
    flatFraction: flat / ((size - 2) * (size - 2)),
  };
}

/** Mean-centred, std-scaled distance to the nearest class mean of the pooled features. */
export function featureDistance(
  features: ArrayLike<number>,
  classMeans: number[][],
  std: number[],
): number {
  let best = Infinity;
  for (const mean of classMeans) {
    let d = 0;
    for (let k = 0; k < std.length; k++) {
      const z = (features[k]! - mean[k]!) / std[k]!;
      d += z * z;
    }
    best = Math.min(best, Math.sqrt(d / std.length));
  }
  return best;
}
