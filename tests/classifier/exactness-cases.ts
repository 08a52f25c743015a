/**
 * The inputs of the capture normalisation's exactness check (decision 043), and one digest per
 * output: generated smears, re-captures and non-smears through `normaliseCapture`, random masks
 * through the distance transform, random regions through the area resize. Everything is seeded.
 */
import crypto from "node:crypto";
import { decodeImage } from "~/classifier/decode.server";
import type { RgbImage } from "~/classifier/pixels";
import { generateNonSmears } from "../../scripts/model/non-smear";
import { colourCast, EVAL_EYEPIECE, eyepiece, rescale } from "../../scripts/model/recapture";
import { syntheticSmear } from "../uploads/images";

type Capture = {
  measures: unknown;
  region: unknown;
  field: RgbImage;
  tiles: { x: number; y: number; nucleus: number; inField: number; pixels: Uint8Array }[];
};
export type Pipeline = {
  normaliseCapture: (image: RgbImage) => Capture;
  distanceTransform: (mask: Uint8Array, width: number, height: number) => Float32Array;
  resizeAreaTo: (
    image: RgbImage,
    region: { left: number; top: number; width: number; height: number },
    width: number,
    height: number,
  ) => Uint8Array;
};

const digest = (...parts: (string | Uint8Array | Float32Array)[]) => {
  const hash = crypto.createHash("sha256");
  for (const part of parts)
    hash.update(
      typeof part === "string"
        ? part
        : new Uint8Array(part.buffer, part.byteOffset, part.byteLength),
    );
  return hash.digest("hex").slice(0, 32);
};

const copy = (image: RgbImage): RgbImage => ({ ...image, data: image.data.slice() });

/** Everything a capture hands to the model and to the verdict, in one digest. */
function captureDigest(p: Pipeline, image: RgbImage) {
  const c = p.normaliseCapture(copy(image));
  return digest(
    JSON.stringify([c.measures, c.region, c.field.width, c.field.height]),
    c.field.data,
    JSON.stringify(c.tiles.map((t) => [t.x, t.y, t.nucleus, t.inField])),
    ...c.tiles.map((t) => t.pixels),
  );
}

export async function smearImages(): Promise<[string, RgbImage][]> {
  const images: [string, RgbImage][] = [];
  for (const [s, w, h] of [
    [1, 224, 224],
    [4, 320, 240],
    [9, 640, 480],
  ] as const) {
    const image = await decodeImage(await syntheticSmear(s, w, h, "png"));
    const name = `smear ${s} ${w}×${h}`;
    images.push([name, image], [`${name} ×2`, rescale(image, 2)]);
    images.push([`${name} ×0.75`, rescale(image, 0.75)]);
    images.push([`${name} colour cast`, colourCast(image, [1.1, 0.95, 0.88])]);
  }
  const field = await decodeImage(await syntheticSmear(5, 224, 224, "png"));
  images.push(["eyepiece", eyepiece(field, { ...EVAL_EYEPIECE, enlarge: 4, stop: 1.1 })]);
  return images;
}

export async function nonSmearImages(): Promise<[string, RgbImage][]> {
  const images: [string, RgbImage][] = [];
  for (const { name, bytes } of await generateNonSmears(1, 3)) {
    const image = await decodeImage(bytes);
    if (Math.min(image.width, image.height) >= 64) images.push([name, image]);
  }
  return images;
}

/** Per image: the digest of the input pixels, then of everything the capture made of them. */
export const capturesOf = (p: Pipeline, images: [string, RgbImage][]) =>
  Object.fromEntries(
    images.map(([name, image]) => [
      name,
      [digest(`${image.width}×${image.height}`, image.data), captureDigest(p, image)],
    ]),
  );

function seeded(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** 60 random masks, every tenth full and every tenth + 1 empty. */
export function distanceTransforms(p: Pipeline): string[] {
  const random = seeded(11);
  return Array.from({ length: 60 }, (_, t) => {
    const width = 1 + Math.floor(random() * 90);
    const height = 1 + Math.floor(random() * 70);
    const density = t % 10 === 0 ? 1 : t % 10 === 1 ? 0 : random();
    const mask = new Uint8Array(width * height).map(() => (random() < density ? 1 : 0));
    return digest(`${width}×${height}`, mask, p.distanceTransform(mask, width, height));
  });
}

/** 30 random images, regions and target sizes, down and up. */
export function areaResizes(p: Pipeline): string[] {
  const random = seeded(12);
  return Array.from({ length: 30 }, () => {
    const width = 8 + Math.floor(random() * 300);
    const height = 8 + Math.floor(random() * 200);
    const data = new Uint8Array(width * height * 3).map(() => Math.floor(random() * 256));
    const left = Math.floor((random() * width) / 4);
    const top = Math.floor((random() * height) / 4);
    const region = { left, top, width: width - left, height: height - top };
    const w = 1 + Math.floor(random() * 200);
    const h = 1 + Math.floor(random() * 200);
    return digest(
      JSON.stringify([width, height, region, w, h]),
      data,
      p.resizeAreaTo({ width, height, data }, region, w, h),
    );
  });
}
