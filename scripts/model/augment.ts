/** Training augmentation on model pixels: flips, 90° rotations, colour and stain jitter. */
import { applyColourShift, randomShift } from "~/classifier/colour";
import { orient } from "~/classifier/pixels";

export type AugmentOptions = { colour: number; stain: number };

export function augment(
  pixels: Uint8Array,
  size: number,
  random: () => number,
  options: AugmentOptions,
): Uint8Array {
  const out = orient(pixels, size, Math.floor(random() * 4), random() < 0.5);
  return applyColourShift(
    out,
    randomShift(random, options.colour, options.stain),
    new Uint8Array(out.length),
  );
}
