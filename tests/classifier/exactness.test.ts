/**
 * The capture normalisation's speed-ups change no pixel: today's code against a frozen copy of
 * the version the shipped (and the training) model was built on (`./reference/`), on generated
 * smears, re-captures and non-smears, byte for byte.
 */
import { distanceTransform, normaliseCapture } from "~/classifier/capture";
import { decodeImage } from "~/classifier/decode.server";
import { resizeAreaTo, type RgbImage } from "~/classifier/pixels";
import { generateNonSmears } from "../../scripts/model/non-smear";
import { colourCast, EVAL_EYEPIECE, eyepiece, rescale } from "../../scripts/model/recapture";
import { syntheticSmear } from "../uploads/images";
import * as reference from "./reference/capture";
import * as referencePixels from "./reference/pixels";

const copy = (image: RgbImage): RgbImage => ({ ...image, data: image.data.slice() });

function expectSameCapture(image: RgbImage) {
  const fast = normaliseCapture(copy(image));
  const frozen = reference.normaliseCapture(copy(image));
  expect(fast.measures).toEqual(frozen.measures);
  expect(fast.region).toEqual(frozen.region);
  expect(Buffer.from(fast.field.data).equals(Buffer.from(frozen.field.data))).toBe(true);
  const place = (t: reference.Tile) => [t.x, t.y, t.nucleus, t.inField];
  expect(fast.tiles.map(place)).toEqual(frozen.tiles.map(place));
  fast.tiles.forEach((tile, i) =>
    expect(Buffer.from(tile.pixels).equals(Buffer.from(frozen.tiles[i]!.pixels))).toBe(true),
  );
}

let seed = 11;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

describe("exactness of the capture normalisation", () => {
  test("generated smears at several sizes, re-captured and colour-cast, give the same tiles", async () => {
    for (const [s, w, h] of [
      [1, 224, 224],
      [4, 320, 240],
      [9, 640, 480],
    ] as const) {
      const image = await decodeImage(await syntheticSmear(s, w, h, "png"));
      expectSameCapture(image);
      expectSameCapture(rescale(image, 2));
      expectSameCapture(rescale(image, 0.75));
      expectSameCapture(colourCast(image, [1.1, 0.95, 0.88]));
    }
    const field = await decodeImage(await syntheticSmear(5, 224, 224, "png"));
    const phone = eyepiece(field, { ...EVAL_EYEPIECE, enlarge: 4, stop: 1.1 });
    expectSameCapture(phone);
  });

  test("generated non-smears give the same tiles", async () => {
    for (const { bytes } of await generateNonSmears(1, 3)) {
      const image = await decodeImage(bytes);
      if (Math.min(image.width, image.height) >= 64) expectSameCapture(image);
    }
  });

  test("the distance transform is the same to the bit on random masks, empty and full ones", () => {
    for (let t = 0; t < 60; t++) {
      const width = 1 + Math.floor(random() * 90);
      const height = 1 + Math.floor(random() * 70);
      const density = t % 10 === 0 ? 1 : t % 10 === 1 ? 0 : random();
      const mask = new Uint8Array(width * height).map(() => (random() < density ? 1 : 0));
      const fast = distanceTransform(mask, width, height);
      const frozen = reference.distanceTransform(mask, width, height);
      expect(Buffer.from(fast.buffer).equals(Buffer.from(frozen.buffer))).toBe(true);
    }
  });

  test("the area resize is the same to the bit, down and up, on regions", () => {
    for (let t = 0; t < 30; t++) {
      const width = 8 + Math.floor(random() * 300);
      const height = 8 + Math.floor(random() * 200);
      const image = {
        width,
        height,
        data: new Uint8Array(width * height * 3).map(() => Math.floor(random() * 256)),
      };
      const left = Math.floor((random() * width) / 4);
      const top = Math.floor((random() * height) / 4);
      const region = { left, top, width: width - left, height: height - top };
      const w = 1 + Math.floor(random() * 200);
      const h = 1 + Math.floor(random() * 200);
      const fast = resizeAreaTo(image, region, w, h);
      const frozen = referencePixels.resizeAreaTo(image, region, w, h);
      expect(Buffer.from(fast).equals(Buffer.from(frozen))).toBe(true);
    }
  });
});
