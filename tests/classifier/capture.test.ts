import sharp from "sharp";
import {
  distanceTransform,
  findField,
  fitBackground,
  fitCircle,
  measureCells,
  normaliseCapture,
  TARGET_BACKGROUND,
  TILE,
} from "~/classifier/capture";
import { decodeImage } from "~/classifier/decode.server";
import type { RgbImage } from "~/classifier/pixels";
import { colourCast, cropTop, eyepiece, rescale } from "../../scripts/model/recapture";
import { syntheticSmear } from "../uploads/images";

const smear = async (seed = 3, size = 224) => decodeImage(await syntheticSmear(seed, size, size));

const diameterOf = (image: RgbImage) => {
  const field = findField(image);
  return measureCells(image, field, fitBackground(image, field)).redCellDiameter;
};

describe("capture normalisation", () => {
  test("a least-squares circle through rim points recovers the circle", () => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < 40; k++) {
      xs.push(120 + 75 * Math.cos(k / 6) + Math.sin(k) * 0.5);
      ys.push(90 + 75 * Math.sin(k / 6));
    }
    const circle = fitCircle(xs, ys)!;
    expect(circle.cx).toBeCloseTo(120, 0);
    expect(circle.cy).toBeCloseTo(90, 0);
    expect(circle.r).toBeCloseTo(75, 0);
  });

  test("the distance transform matches a brute-force Euclidean distance", () => {
    const width = 23;
    const height = 17;
    const mask = new Uint8Array(width * height).map((_, i) =>
      Math.sin(i * 12.9898) > -0.6 ? 1 : 0,
    );
    const fast = distanceTransform(mask, width, height);
    for (let p = 0; p < mask.length; p++) {
      let best = mask[p] ? Infinity : 0;
      if (mask[p]) {
        for (let q = 0; q < mask.length; q++) {
          if (mask[q]) continue;
          const dx = (p % width) - (q % width);
          const dy = Math.floor(p / width) - Math.floor(q / width);
          best = Math.min(best, Math.hypot(dx, dy));
        }
      }
      if (Number.isFinite(best)) expect(fast[p]).toBeCloseTo(best, 4);
    }
  });

  test("a plain camera frame is the whole field; an eyepiece photo's round stop is found", async () => {
    const image = await smear();
    expect(findField(image).kind).toBe("full");
    const ocular = eyepiece(cropTop(image, 192), {
      enlarge: 2.5,
      stop: 1,
      vignetting: 0.3,
      gains: [1.12, 1, 0.8],
      blur: 1,
    });
    const field = findField(ocular);
    expect(field.kind).toBe("circle");
    expect(field.circle!.cx).toBeGreaterThan(ocular.width * 0.45);
    expect(field.circle!.cx).toBeLessThan(ocular.width * 0.55);
    expect(field.circle!.r).toBeGreaterThan(ocular.height * 0.4);
    expect(field.circle!.r).toBeLessThan(ocular.height * 0.5);
  });

  test("the red-cell measure follows the magnification: enlarged 2× measures about twice as large", async () => {
    for (const seed of [3, 4, 5]) {
      const image = await smear(seed);
      const base = diameterOf(image);
      expect(base).toBeGreaterThan(14);
      expect(base).toBeLessThan(26);
      const ratio = diameterOf(rescale(image, 2)) / base;
      expect(ratio).toBeGreaterThan(1.8);
      expect(ratio).toBeLessThan(2.2);
    }
  });

  test("an eyepiece photo at 2.5× is brought back to the plain photo's scale", async () => {
    const image = await smear(4);
    const plain = normaliseCapture(image).measures;
    const ocular = normaliseCapture(
      eyepiece(cropTop(image, 192), {
        enlarge: 2.5,
        stop: 1.1,
        vignetting: 0.3,
        gains: [1.1, 1, 0.85],
        blur: 1,
      }),
    ).measures;
    expect(ocular.field).toBe("circle");
    expect(ocular.scale * 2.5).toBeGreaterThan(plain.scale * 0.85);
    expect(ocular.scale * 2.5).toBeLessThan(plain.scale * 1.15);
  });

  test("flat field and white balance: a vignetted, colour-cast background comes out even and neutral", async () => {
    const image = await smear(5, 448);
    const cast = colourCast(image, [1.15, 1, 0.8]);
    // Vignetting: darker towards the corners.
    const data = new Uint8Array(cast.data);
    for (let y = 0; y < cast.height; y++) {
      for (let x = 0; x < cast.width; x++) {
        const d = Math.hypot(x - cast.width / 2, y - cast.height / 2) / (cast.width / 2);
        for (let c = 0; c < 3; c++)
          data[(y * cast.width + x) * 3 + c] *= 1 - 0.3 * Math.min(1, d * d);
      }
    }
    const { field } = normaliseCapture({ ...cast, data });
    // Background pixels (bright ones) in the centre and at the edges of the normalised field.
    const brightMean = (x0: number, y0: number, w: number) => {
      const values: number[][] = [];
      for (let y = y0; y < y0 + w; y++) {
        for (let x = x0; x < x0 + w; x++) {
          const i = (y * field.width + x) * 3;
          values.push([field.data[i]!, field.data[i + 1]!, field.data[i + 2]!]);
        }
      }
      values.sort((a, b) => b[1]! - a[1]!);
      const top = values.slice(0, Math.ceil(values.length / 5));
      return [0, 1, 2].map((c) => top.reduce((s, v) => s + v[c]!, 0) / top.length);
    };
    const centre = brightMean(
      Math.floor(field.width / 2) - 20,
      Math.floor(field.height / 2) - 20,
      40,
    );
    const corner = brightMean(2, 2, 40);
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(centre[c]! - TARGET_BACKGROUND[c]!)).toBeLessThan(14);
      expect(Math.abs(corner[c]! - TARGET_BACKGROUND[c]!)).toBeLessThan(18);
    }
  });

  test("tiles are model-sized and a field smaller than a tile is padded, with its coverage", async () => {
    const image = await smear(6);
    const capture = normaliseCapture(image);
    expect(capture.tiles.length).toBeGreaterThan(0);
    for (const tile of capture.tiles) expect(tile.pixels.length).toBe(TILE * TILE * 3);
    // A close-up (a 90-px corner enlarged 4×: few cells, like a single-cell crop) is smaller
    // than a tile at model scale: padded, and its coverage says so.
    const corner = cropTop({ ...image, width: image.width }, 90);
    const crop: RgbImage = { width: 90, height: 90, data: new Uint8Array(90 * 90 * 3) };
    for (let y = 0; y < 90; y++)
      crop.data.set(corner.data.subarray(y * image.width * 3, (y * image.width + 90) * 3), y * 270);
    const close = normaliseCapture(rescale(crop, 4));
    expect(close.measures.fieldWidth).toBeLessThan(TILE);
    expect(close.measures.coverage).toBeLessThan(0.6);
  });

  test("tiny, blank and huge images give measures without crashing", async () => {
    const blank = await decodeImage(
      await sharp({ create: { width: 300, height: 200, channels: 3, background: "#ffffff" } })
        .png()
        .toBuffer(),
    );
    expect(normaliseCapture(blank).measures.redCells).toBe(0);
    const black = await decodeImage(
      await sharp({ create: { width: 300, height: 200, channels: 3, background: "#000000" } })
        .png()
        .toBuffer(),
    );
    expect(normaliseCapture(black).measures.redCells).toBe(0);
    const wide = await decodeImage(await syntheticSmear(7, 2400, 1800, "jpeg"));
    const measures = normaliseCapture(wide).measures;
    expect(measures.redCellDiameter).toBeGreaterThan(0);
  });
});
