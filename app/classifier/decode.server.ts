/** Decode any accepted image to oriented 8-bit RGB pixels with sharp (server and scripts). */
import sharp from "sharp";
import type { RgbImage } from "./pixels";

export const MAX_DECODE_PIXELS = 40_000_000;

export async function decodeImage(bytes: Uint8Array | Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(bytes, {
    failOn: "truncated",
    limitInputPixels: MAX_DECODE_PIXELS,
  })
    .rotate()
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
