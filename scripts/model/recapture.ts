/**
 * Re-captures of a smear image: the same cells as another microscope, camera or phone would
 * record them (enlarged or shrunk, through an eyepiece, with a colour cast). Used as training
 * augmentation (random parameters) and by the evaluation (fixed parameters, stated in the card).
 */
import { applyColourShift, randomShift } from "~/classifier/colour";
import { resizeAreaTo, type RgbImage } from "~/classifier/pixels";

const whole = (image: RgbImage) => ({ left: 0, top: 0, width: image.width, height: image.height });

/** Resample by `factor` (2 = twice the pixels per micrometre). */
export function rescale(image: RgbImage, factor: number): RgbImage {
  const width = Math.max(8, Math.round(image.width * factor));
  const height = Math.max(8, Math.round(image.height * factor));
  return { width, height, data: resizeAreaTo(image, whole(image), width, height) };
}

/** The top rows only (drops a burned-in scale bar before a re-capture that would move it). */
export function cropTop(image: RgbImage, rows: number): RgbImage {
  return { width: image.width, height: rows, data: image.data.slice(0, image.width * rows * 3) };
}

/** Separable box blur of radius r (repeated twice: close to a Gaussian). */
export function blur(image: RgbImage, r: number): RgbImage {
  if (r < 0.5) return image;
  const radius = Math.round(r);
  let data = image.data;
  for (let pass = 0; pass < 2; pass++) {
    data = boxPass(data, image.width, image.height, radius, true);
    data = boxPass(data, image.width, image.height, radius, false);
  }
  return { ...image, data };
}

function boxPass(src: Uint8Array, width: number, height: number, r: number, horizontal: boolean) {
  const out = new Uint8Array(src.length);
  const lines = horizontal ? height : width;
  const length = horizontal ? width : height;
  for (let line = 0; line < lines; line++) {
    for (let c = 0; c < 3; c++) {
      const at = (i: number) => {
        const k = Math.min(length - 1, Math.max(0, i));
        return horizontal ? (line * width + k) * 3 + c : (k * width + line) * 3 + c;
      };
      let sum = 0;
      for (let i = -r; i <= r; i++) sum += src[at(i)]!;
      for (let i = 0; i < length; i++) {
        out[at(i)] = Math.round(sum / (2 * r + 1));
        sum += src[at(i + r + 1)]! - src[at(i - r)]!;
      }
    }
  }
  return out;
}

/** Multiply channels by gains (a white-balance or stain cast). */
export function colourCast(image: RgbImage, gains: [number, number, number]): RgbImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = image.data[i]! * gains[i % 3]!;
    data[i] = v >= 255 ? 255 : v + 0.5;
  }
  return { ...image, data };
}

export type EyepieceOptions = {
  /** Pixels per micrometre relative to the source. */
  enlarge: number;
  /** Stop radius over half the shorter side (1 = the circle touches the frame's shorter sides). */
  stop: number;
  /** Brightness lost at the stop's rim (0.3 = 30 % darker). */
  vignetting: number;
  /** White-balance gains (a phone's warm cast: R up, B down). */
  gains: [number, number, number];
  /** Blur radius in output pixels. */
  blur: number;
  /** Stop centre offset, as a fraction of the shorter side. */
  offset?: [number, number];
};

/** The photo a phone takes through the eyepiece: round stop, dark surround, vignetting, cast. */
export function eyepiece(image: RgbImage, o: EyepieceOptions): RgbImage {
  const big = blur(rescale(image, o.enlarge), o.blur);
  const { width, height } = big;
  const short = Math.min(width, height);
  const cx = width / 2 + (o.offset?.[0] ?? 0) * short;
  const cy = height / 2 + (o.offset?.[1] ?? 0) * short;
  const radius = (o.stop * short) / 2;
  const rim = Math.max(2, radius * 0.03);
  const data = new Uint8Array(big.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      const inside = Math.min(1, Math.max(0, (radius - d) / rim));
      const light = (1 - o.vignetting * Math.min(1, (d / radius) ** 2)) * inside;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const v = big.data[i + c]! * o.gains[c]! * light + 8 * (1 - inside);
        data[i + c] = v >= 255 ? 255 : v + 0.5;
      }
    }
  }
  return { width, height, data };
}

/** The evaluation's eyepiece photo (the description): 2.5× the pixels, stop, cast. */
export const EVAL_EYEPIECE: EyepieceOptions = {
  enlarge: 2.5,
  stop: 1,
  vignetting: 0.3,
  gains: [1.12, 1, 0.8],
  blur: 1.5,
};

/** A random re-capture for training: as is, rescaled, through an eyepiece or colour-cast. */
export function randomRecapture(
  image: RgbImage,
  random: () => number,
  colourJitter = 0,
): { image: RgbImage; factor: number; shifted: boolean } {
  const view = recaptureView(image, random);
  if (colourJitter > 0 && random() < 0.5) {
    const shift = randomShift(random, colourJitter);
    const data = applyColourShift(view.image.data, shift, new Uint8Array(view.image.data.length));
    return { ...view, image: { ...view.image, data }, shifted: true };
  }
  return { ...view, shifted: false };
}

function recaptureView(image: RgbImage, random: () => number): { image: RgbImage; factor: number } {
  const u = (lo: number, hi: number) => lo + (hi - lo) * random();
  const pick = random();
  if (pick < 0.4) return { image, factor: 1 };
  if (pick < 0.65) {
    const factor = random() < 0.5 ? u(0.65, 1) : u(1, 2.4);
    return { image: rescale(image, factor), factor };
  }
  if (pick < 0.9) {
    const factor = u(1.4, 2.8);
    const top = cropTop(image, Math.floor(image.height * (6 / 7)));
    return {
      image: eyepiece(top, {
        enlarge: factor,
        stop: u(0.85, 1.2),
        vignetting: u(0, 0.45),
        gains: [u(0.95, 1.2), u(0.95, 1.05), u(0.72, 1)],
        blur: u(0, 2.2),
        offset: [u(-0.05, 0.05), u(-0.05, 0.05)],
      }),
      factor,
    };
  }
  return { image: colourCast(image, [u(0.85, 1.15), u(0.85, 1.15), u(0.85, 1.15)]), factor: 1 };
}
