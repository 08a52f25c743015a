import sharp, { type Metadata } from "sharp";
import { MIN_SIDE } from "~/classifier/capture";
import { MAX_DECODE_PIXELS } from "~/classifier/decode.server";
import { FILE_TOO_LARGE, MAX_UPLOAD_BYTES } from "./limits";

/** Pixel-flood guard: sharp refuses to decode anything larger, before allocating it. */
export const MAX_INPUT_PIXELS = MAX_DECODE_PIXELS;
const STORED_MAX_SIDE = 2048;
const THUMB_SIDE = 256;

// Every upload is a different image: libvips' operation cache only holds memory, and one
// thread per image is cheaper than two when concurrent uploads already fill the cores.
sharp.cache(false);
sharp.concurrency(1);

export type ImageKind = "jpeg" | "png" | "webp" | "tiff";

export class ImageRejected extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415 | 422 = 422,
  ) {
    super(message);
  }
}

/** The type from the first bytes, never from the file name or the declared Content-Type. */
export function sniffImageType(bytes: Uint8Array): ImageKind | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return "jpeg";
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "png";
  if (starts(0x52, 0x49, 0x46, 0x46) && String.fromCharCode(...bytes.subarray(8, 12)) === "WEBP") {
    return "webp";
  }
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return "tiff";
  return null;
}

// ISO base-media brands of HEIC/HEIF stills and sequences (AVIF shares the container, not these).
const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "hevm", "hevs"]);

/**
 * A HEIC/HEIF photo (what iPhones save by default): an `ftyp` box whose major or compatible
 * brands name HEVC-coded images. Only to say so in the refusal; it is not decoded.
 */
export function isHeif(bytes: Uint8Array): boolean {
  const text = (from: number) => String.fromCharCode(...bytes.subarray(from, from + 4));
  if (bytes.length < 16 || text(4) !== "ftyp") return false;
  const boxSize = Math.min(bytes.length, new DataView(bytes.buffer, bytes.byteOffset).getUint32(0));
  for (let at = 8; at + 4 <= boxSize; at += at === 8 ? 8 : 4) {
    if (HEIF_BRANDS.has(text(at))) return true;
  }
  return false;
}

export const HEIC_REFUSED =
  "This is a HEIC photo (the format iPhones save by default), which HemaLink cannot read. " +
  "Choose a JPEG or PNG instead: on the iPhone, open Settings → Camera → Formats and choose " +
  "“Most Compatible”, then take the photo again (or export the photo as JPEG).";

export type PreparedImage = {
  kind: ImageKind;
  /** Re-encoded JPEG: EXIF (GPS included) is gone, orientation applied, size bounded. */
  stored: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
  /** The stored image's oriented RGB pixels before JPEG encoding (what the classifier sees). */
  pixels: { width: number; height: number; data: Uint8Array };
};

/**
 * Validate an upload and produce the files we keep. Every refusal is an ImageRejected with
 * a message written for the person who chose the file.
 */
export async function prepareImage(bytes: Uint8Array): Promise<PreparedImage> {
  if (bytes.length === 0)
    throw new ImageRejected("The file is empty. Choose a photo of the smear.", 400);
  if (bytes.length > MAX_UPLOAD_BYTES) {
    throw new ImageRejected(FILE_TOO_LARGE, 413);
  }
  const kind = sniffImageType(bytes);
  if (!kind && isHeif(bytes)) throw new ImageRejected(HEIC_REFUSED, 415);
  if (!kind) {
    throw new ImageRejected(
      "This file is not a JPEG, PNG, WebP or TIFF image. Choose a photo of the smear.",
      415,
    );
  }
  const options = { limitInputPixels: MAX_INPUT_PIXELS, failOn: "truncated" as const };
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, options).metadata();
  } catch (error) {
    throw unreadable(error);
  }
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  if (width * height > MAX_INPUT_PIXELS) {
    throw tooManyPixels();
  }
  if (Math.min(width, height) < MIN_SIDE) {
    throw new ImageRejected(
      `The image is too small to assess (under ${MIN_SIDE} pixels on a side). Use a larger photo.`,
    );
  }
  try {
    // Decode once: oriented, bounded, 8-bit RGB. The stored JPEG, the thumbnail and the
    // classifier all start from these pixels.
    const { data, info } = await sharp(bytes, options)
      .rotate()
      .resize(STORED_MAX_SIDE, STORED_MAX_SIDE, { fit: "inside", withoutEnlargement: true })
      .toColourspace("srgb")
      .removeAlpha()
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: 3 as const } };
    const [stored, thumbnail] = await Promise.all([
      sharp(data, raw).jpeg({ quality: 92, optimiseCoding: false }).toBuffer(),
      sharp(data, raw)
        .resize(THUMB_SIDE, THUMB_SIDE, { fit: "cover" })
        .jpeg({ quality: 80, optimiseCoding: false })
        .toBuffer(),
    ]);
    const pixels = {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
    return { kind, stored, thumbnail, width, height, pixels };
  } catch (error) {
    throw unreadable(error);
  }
}

const tooManyPixels = () =>
  new ImageRejected("The image has more than 40 megapixels. Choose a smaller image.", 413);

function unreadable(error: unknown): ImageRejected {
  if (error instanceof Error && /pixel limit/i.test(error.message)) return tooManyPixels();
  return new ImageRejected("The image could not be read; it may be damaged. Try another file.");
}
