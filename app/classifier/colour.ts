/**
 * Colour shifts as one 3×3 matrix per image: brightness, contrast, saturation, hue and
 * per-channel stain gains. Used for training augmentation and for the robustness probes
 * in evaluation (the same definition in both places).
 */

export type ColourShift = {
  /** Multiplies every channel: 1.1 is 10% brighter. */
  brightness: number;
  /** Scales distances from the mean grey level: 0.9 is 10% less contrast. */
  contrast: number;
  /** Scales distances from each pixel's own grey level: 0.9 is 10% less saturated. */
  saturation: number;
  /** Rotates hue, in degrees. */
  hueDegrees: number;
  /** Per-channel gains (stain intensity), 1 = unchanged. */
  gains: [number, number, number];
};

export const NO_SHIFT: ColourShift = {
  brightness: 1,
  contrast: 1,
  saturation: 1,
  hueDegrees: 0,
  gains: [1, 1, 1],
};

const LUMA = [0.299, 0.587, 0.114] as const;

type Matrix = number[]; // row-major 3×3

const multiply = (a: Matrix, b: Matrix): Matrix => {
  const out: Matrix = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
    }
  }
  return out;
};

function saturationMatrix(s: number): Matrix {
  const m: Matrix = [];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m.push((1 - s) * LUMA[c]! + (r === c ? s : 0));
  }
  return m;
}

/** Hue rotation about the grey axis, luminance preserving (the classic YIQ-style matrix). */
function hueMatrix(degrees: number): Matrix {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const [lr, lg, lb] = LUMA;
  return [
    lr + cos * (1 - lr) + sin * -lr,
    lg + cos * -lg + sin * -lg,
    lb + cos * -lb + sin * (1 - lb),
    lr + cos * -lr + sin * 0.143,
    lg + cos * (1 - lg) + sin * 0.14,
    lb + cos * -lb + sin * -0.283,
    lr + cos * -lr + sin * -(1 - lr),
    lg + cos * -lg + sin * lg,
    lb + cos * (1 - lb) + sin * lb,
  ];
}

/** Apply a colour shift to RGB bytes (in place into `out`, which may be `pixels`). */
export function applyColourShift(pixels: Uint8Array, shift: ColourShift, out = pixels): Uint8Array {
  const gains: Matrix = [shift.gains[0], 0, 0, 0, shift.gains[1], 0, 0, 0, shift.gains[2]];
  let m = multiply(
    hueMatrix(shift.hueDegrees),
    multiply(saturationMatrix(shift.saturation), gains),
  );
  m = m.map((v) => v * shift.brightness);
  let grey = 0;
  for (let i = 0; i < pixels.length; i += 3) {
    grey += LUMA[0] * pixels[i]! + LUMA[1] * pixels[i + 1]! + LUMA[2] * pixels[i + 2]!;
  }
  const mean = (grey / (pixels.length / 3)) * shift.brightness;
  const k = shift.contrast;
  const offset = (1 - k) * mean;
  for (let i = 0; i < pixels.length; i += 3) {
    const r = pixels[i]!;
    const g = pixels[i + 1]!;
    const b = pixels[i + 2]!;
    for (let c = 0; c < 3; c++) {
      const v = k * (m[c * 3]! * r + m[c * 3 + 1]! * g + m[c * 3 + 2]! * b) + offset;
      out[i + c] = v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5;
    }
  }
  return out;
}

/** A random shift within ±`amount` (0.1 = ±10%; hue ±amount×100 degrees). */
export function randomShift(random: () => number, amount: number, stain = 0): ColourShift {
  const u = () => (random() * 2 - 1) * amount;
  const g = () => 1 + (random() * 2 - 1) * stain;
  return {
    brightness: 1 + u(),
    contrast: 1 + u(),
    saturation: 1 + u(),
    hueDegrees: u() * 100,
    gains: [g(), g(), g()],
  };
}
