/** Decode any accepted image to oriented 8-bit RGB pixels with sharp (server and scripts). */
import sharp from "sharp";
import type { RgbImage } from "./pixels";

export const MAX_DECODE_PIXELS = 40_000_000;

/**
 * Decode to RGB. With `maxSide`, a larger photo is decoded straight to at most that many pixels
 * on its longer side (libjpeg's shrink-on-load, then libvips): for analysis of a phone photo,
 * which the capture normalisation measures on a 1024-px copy anyway.
 */
export async function decodeImage(
  bytes: Uint8Array | Buffer,
  options: { maxSide?: number } = {},
): Promise<RgbImage> {
  let pipeline = sharp(bytes, {
    failOn: "truncated",
    limitInputPixels: MAX_DECODE_PIXELS,
  }).rotate();
  if (options.maxSide)
    pipeline = pipeline.resize(options.maxSide, options.maxSide, {
      fit: "inside",
      withoutEnlargement: true,
    });
  const { data, info } = await pipeline
    .toColourspace("srgb")
    .removeAlpha()
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`Unexpected channel count ${info.channels}`);
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}
