import { orient } from "~/classifier/pixels";
import { augment } from "../../scripts/model/augment";
import { mulberry32 } from "../../scripts/model/random";

const SIZE = 8;
/** An image whose every pixel is different, so any rotation or flip is visible. */
const image = Uint8Array.from({ length: SIZE * SIZE * 3 }, (_, i) => (i * 37 + 11) % 256);
const orientations = [0, 1, 2, 3].flatMap((k) =>
  [false, true].map((mirror) => orient(image, SIZE, k, mirror)),
);
const maxDifference = (a: Uint8Array, b: Uint8Array) =>
  a.reduce((max, v, i) => Math.max(max, Math.abs(v - b[i]!)), 0);

describe("training augmentation", () => {
  test("the same seed gives the same augmented image", () => {
    const options = { colour: 0.2, stain: 0.1 };
    const a = augment(image, SIZE, mulberry32(5), options);
    const b = augment(image, SIZE, mulberry32(5), options);
    expect(a).toEqual(b);
    expect(a).not.toEqual(augment(image, SIZE, mulberry32(6), options));
  });

  test("without colour or stain jitter it only rotates and flips, and all eight occur", () => {
    const random = mulberry32(9);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const out = augment(image, SIZE, random, { colour: 0, stain: 0 });
      const match = orientations.findIndex((o) => maxDifference(o, out) <= 1);
      expect(match).toBeGreaterThanOrEqual(0);
      seen.add(match);
    }
    expect(seen.size).toBe(8);
  });

  test("colour jitter changes the colours, within bounds that keep the image a smear", () => {
    const random = mulberry32(3);
    let changed = 0;
    for (let i = 0; i < 50; i++) {
      const out = augment(image, SIZE, random, { colour: 0.2, stain: 0.1 });
      expect(out).toHaveLength(image.length);
      const closest = Math.min(...orientations.map((o) => maxDifference(o, out)));
      if (closest > 1) changed += 1;
      // Mean intensity moves, but not to black or white.
      const mean = out.reduce((a, b) => a + b, 0) / out.length;
      expect(mean).toBeGreaterThan(40);
      expect(mean).toBeLessThan(215);
    }
    expect(changed).toBeGreaterThan(40);
  });
});
