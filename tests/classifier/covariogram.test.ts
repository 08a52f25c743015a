import {
  captureField,
  covariogramDiameter,
  fitBackground,
  TARGET_BACKGROUND,
} from "~/classifier/capture";
import { fft, halfCovarianceLag, type DarknessGrid } from "~/classifier/covariogram";
import type { RgbImage } from "~/classifier/pixels";
import { mulberry32 } from "../../scripts/model/random";

/**
 * A smear-like field: non-overlapping discs of one diameter (red-cell colour, darker in green)
 * on the training set's background, covering about `cover` of the field.
 */
function discField(size: number, diameter: number, seed = 1, cover = 0.3): RgbImage {
  const random = mulberry32(seed);
  const data = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++) data.set(TARGET_BACKGROUND, p * 3);
  const r = diameter / 2;
  const centres: { x: number; y: number }[] = [];
  const wanted = Math.round((size * size * cover) / (Math.PI * r * r));
  for (let tries = 0; centres.length < wanted && tries < wanted * 200; tries++) {
    const x = r + random() * (size - 2 * r);
    const y = r + random() * (size - 2 * r);
    if (centres.some((c) => (c.x - x) ** 2 + (c.y - y) ** 2 < (2 * r + 2) ** 2)) continue;
    centres.push({ x, y });
    for (let py = Math.floor(y - r); py <= Math.ceil(y + r); py++) {
      for (let px = Math.floor(x - r); px <= Math.ceil(x + r); px++) {
        if ((px + 0.5 - x) ** 2 + (py + 0.5 - y) ** 2 > r * r) continue;
        data.set([200, 120, 150], (py * size + px) * 3);
      }
    }
  }
  return { width: size, height: size, data };
}

const diameterOf = (image: RgbImage) => {
  const field = captureField(image, false);
  return covariogramDiameter(image, field, fitBackground(image, field));
};

/** The darkness grid of a field's green channel against its background (whole frame inside). */
function gridOf(image: RgbImage, map: (darkness: number) => number = (d) => d): DarknessGrid {
  const { width, height } = image;
  const darkness = new Float64Array(width * height);
  for (let p = 0; p < darkness.length; p++)
    darkness[p] = map(1 - image.data[p * 3 + 1]! / TARGET_BACKGROUND[1]);
  return { width, height, darkness, inside: new Uint8Array(width * height).fill(1) };
}

describe("the covariogram ruler", () => {
  test("the FFT matches a direct discrete Fourier transform, and its inverse undoes it", () => {
    const n = 16;
    const random = mulberry32(7);
    const re = Float64Array.from({ length: n }, () => random() - 0.5);
    const im = Float64Array.from({ length: n }, () => random() - 0.5);
    const [r0, i0] = [re.slice(), im.slice()];
    fft(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        sr += r0[t]! * Math.cos(a) - i0[t]! * Math.sin(a);
        si += r0[t]! * Math.sin(a) + i0[t]! * Math.cos(a);
      }
      expect(re[k]).toBeCloseTo(sr, 10);
      expect(im[k]).toBeCloseTo(si, 10);
    }
    fft(re, im, true);
    for (let t = 0; t < n; t++) {
      expect(re[t]! / n).toBeCloseTo(r0[t]!, 12);
      expect(im[t]! / n).toBeCloseTo(i0[t]!, 12);
    }
  });

  test("sparse solid discs: the half-covariance lag is 0.4 of their diameter, at every size", () => {
    for (const d of [10, 16, 24]) {
      const lag = halfCovarianceLag(gridOf(discField(20 * d, d, d, 0.05)));
      expect(lag / d).toBeGreaterThan(0.38);
      expect(lag / d).toBeLessThan(0.42);
    }
  });

  test("discs of known diameter drawn into a field: the diameter follows them within a few %", () => {
    // The same layout at each size (positions scale with the field); the larger fields are
    // averaged down to the grid.
    const perPixel = (d: number) => diameterOf(discField(20 * d, d, 5)) / d;
    const at16 = perPixel(16);
    for (const d of [20, 24, 32, 40]) {
      expect(perPixel(d) / at16).toBeGreaterThan(0.95);
      expect(perPixel(d) / at16).toBeLessThan(1.05);
    }
  });

  test("the lag does not depend on the darkness's gain or offset", () => {
    const image = discField(160, 14, 5);
    const lag = halfCovarianceLag(gridOf(image));
    expect(halfCovarianceLag(gridOf(image, (d) => 0.4 * d + 0.2))).toBeCloseTo(lag, 9);
    expect(halfCovarianceLag(gridOf(image, (d) => 3 * d - 1))).toBeCloseTo(lag, 9);
  });

  test("a photo's brightness and colour cast leave the diameter within 2 %", () => {
    const image = discField(224, 20, 9);
    const base = diameterOf(image);
    for (const [gain, offset] of [
      [0.7, 0],
      [0.85, 20],
      [1.1, -15],
    ] as const) {
      const data = image.data.map((v, i) =>
        Math.round(Math.min(255, Math.max(0, v * gain * (i % 3 === 2 ? 0.9 : 1) + offset))),
      );
      const ratio = diameterOf({ ...image, data }) / base;
      expect(ratio).toBeGreaterThan(0.98);
      expect(ratio).toBeLessThan(1.02);
    }
  });

  test("no answer from a field too small or without structure", () => {
    const empty = gridOf(discField(6, 2, 1));
    expect(halfCovarianceLag(empty)).toBe(0);
    const flat = gridOf(discField(64, 200, 1));
    expect(halfCovarianceLag(flat)).toBe(0);

    const image = discField(224, 20, 9);
    const field = captureField(image, false);
    const bg = fitBackground(image, field);
    const sliver = { kind: "box" as const, box: { left: 0, top: 0, width: 6, height: 224 } };
    expect(covariogramDiameter(image, sliver, bg)).toBe(0);
  });
});
