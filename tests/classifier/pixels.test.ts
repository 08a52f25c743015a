import { describe, expect, test } from "vitest";
import { applyColourShift, NO_SHIFT } from "~/classifier/colour";
import { normaliseCapture } from "~/classifier/capture";
import { resizeArea, standardise, type RgbImage } from "~/classifier/pixels";

function image(
  width: number,
  height: number,
  fill: (x: number, y: number) => [number, number, number],
): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) data.set(fill(x, y), (y * width + x) * 3);
  return { width, height, data };
}

describe("the model's view", () => {
  test("the scale-bar corner (last 72 × 31 px of a 224 image) never reaches the model", async () => {
    const { syntheticSmear } = await import("../uploads/images");
    const { decodeImage } = await import("~/classifier/decode.server");
    const plain = await decodeImage(await syntheticSmear(4, 224, 224));
    const painted = { ...plain, data: new Uint8Array(plain.data) };
    for (let y = 193; y < 224; y++)
      for (let x = 152; x < 224; x++) painted.data.set([255, 0, 0], (y * 224 + x) * 3);
    const tiles = (image: RgbImage) => normaliseCapture(image).tiles.map((t) => t.pixels);
    expect(tiles(painted)).toEqual(tiles(plain));
  });
});

describe("area resize", () => {
  test("averages exact 2×2 blocks when halving", () => {
    const src = image(4, 4, (x, y) => [x * 10 + y, 0, 255]);
    const out = resizeArea(src, { left: 0, top: 0, width: 4, height: 4 }, 2);
    // top-left block: values 0,1,10,11 → 5.5 → 6 (round half up)
    expect(Array.from(out.slice(0, 3))).toEqual([6, 0, 255]);
    expect(out[3]).toBe(Math.round((20 + 21 + 30 + 31) / 4));
  });

  test("keeps a constant image constant at any scale", () => {
    const src = image(333, 217, () => [12, 200, 99]);
    const out = resizeArea(src, { left: 10, top: 5, width: 200, height: 200 }, 96);
    for (let i = 0; i < out.length; i += 3)
      expect([out[i], out[i + 1], out[i + 2]]).toEqual([12, 200, 99]);
  });

  test("matches a straightforward reference implementation on fractional scales", () => {
    const src = image(50, 50, (x, y) => [(x * 13 + y * 7) % 256, (x * y) % 256, (x + y * 5) % 256]);
    const region = { left: 3, top: 2, width: 37, height: 37 };
    const size = 10;
    const out = resizeArea(src, region, size);
    // Reference: integrate over a 100× supersampled grid.
    const n = 100;
    for (const [ox, oy] of [
      [0, 0],
      [4, 7],
      [9, 9],
    ] as const) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let sy = 0; sy < n; sy++) {
          for (let sx = 0; sx < n; sx++) {
            const x = region.left + ((ox + (sx + 0.5) / n) * region.width) / size;
            const y = region.top + ((oy + (sy + 0.5) / n) * region.height) / size;
            sum += src.data[(Math.floor(y) * 50 + Math.floor(x)) * 3 + c]!;
          }
        }
        expect(Math.abs(out[(oy * size + ox) * 3 + c]! - sum / (n * n))).toBeLessThanOrEqual(1.5);
      }
    }
  });
});

describe("standardisation", () => {
  test("gives each channel zero mean and (near) unit variance", () => {
    const src = image(20, 20, (x, y) => [x * 10, y * 5 + 3, (x * y) % 256]);
    const out = new Float32Array(src.data.length);
    standardise(src.data, out);
    for (let c = 0; c < 3; c++) {
      const values = Array.from(out).filter((_, i) => i % 3 === c);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
      const raw = Array.from(src.data).filter((_, i) => i % 3 === c);
      const rawMean = raw.reduce((a, b) => a + b, 0) / raw.length;
      const sigma = Math.sqrt(raw.reduce((a, b) => a + (b - rawMean) ** 2, 0) / raw.length);
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      // σ / (σ + 4): the +4 keeps flat images finite
      expect(variance).toBeCloseTo((sigma / (sigma + 4)) ** 2, 4);
    }
  });

  test("removes brightness and per-channel gain", () => {
    const src = image(16, 16, (x, y) => [40 + x * 5, 30 + y * 4, 50 + ((x + y) % 7) * 9]);
    const brighter = applyColourShift(
      src.data,
      { ...NO_SHIFT, gains: [1.2, 1.1, 0.9] },
      new Uint8Array(src.data.length),
    );
    const a = new Float32Array(src.data.length);
    const b = new Float32Array(src.data.length);
    standardise(src.data, a);
    standardise(brighter, b);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(0.05);
  });

  test("a flat image stays finite", () => {
    const out = new Float32Array(12);
    standardise(new Uint8Array(12).fill(77), out);
    expect(Array.from(out)).toEqual(new Array(12).fill(0));
  });
});

describe("colour shifts", () => {
  test("no shift is the identity", () => {
    const src = image(8, 8, (x, y) => [x * 30, y * 30, 100]);
    expect(applyColourShift(src.data, NO_SHIFT, new Uint8Array(src.data.length))).toEqual(src.data);
  });

  test("desaturation moves colours towards grey and hue rotation keeps grey grey", () => {
    const red = new Uint8Array([200, 40, 40]);
    const grey = applyColourShift(red, { ...NO_SHIFT, saturation: 0 }, new Uint8Array(3));
    expect(Math.max(...grey) - Math.min(...grey)).toBeLessThanOrEqual(1);
    const rotated = applyColourShift(
      new Uint8Array([128, 128, 128]),
      { ...NO_SHIFT, hueDegrees: 40 },
      new Uint8Array(3),
    );
    expect(Array.from(rotated)).toEqual([128, 128, 128]);
  });
});
