/** Training augmentation on model pixels: flips, 90° rotations, colour and stain jitter. */
import { applyColourShift, randomShift } from "~/classifier/colour";

/** Rotate by k×90° and optionally mirror an S×S RGB image. */
export function orient(pixels: Uint8Array, size: number, k: number, mirror: boolean): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx0 = mirror ? size - 1 - x : x;
      let sx = sx0;
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

export type AugmentOptions = { colour: number; stain: number };

export function augment(
  pixels: Uint8Array,
  size: number,
  random: () => number,
  options: AugmentOptions,
): Uint8Array {
  const out = orient(pixels, size, Math.floor(random() * 4), random() < 0.5);
  return applyColourShift(out, randomShift(random, options.colour, options.stain));
}
