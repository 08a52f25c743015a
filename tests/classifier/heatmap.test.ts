import { describe, expect, test } from "vitest";
import type { ActivationMap } from "~/classifier/classify";
import { ramp, renderHeatmap } from "~/classifier/heatmap";

/** The overlay as it was rendered before the ramp was written into the loop. */
function byRamp(map: ActivationMap, imageWidth: number, imageHeight: number, scale: number) {
  const width = Math.max(1, Math.round(imageWidth * scale));
  const height = Math.max(1, Math.round(imageHeight * scale));
  const data = new Uint8ClampedArray(width * height * 4);
  const { region, values } = map;
  const w = map.width;
  const h = map.height;
  for (let y = 0; y < height; y++) {
    const fy = ((y + 0.5) / scale - region.top) / region.height;
    if (fy < 0 || fy >= 1) continue;
    const gy = Math.min(Math.max(fy * h - 0.5, 0), h - 1);
    const y0 = Math.floor(gy);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = gy - y0;
    for (let x = 0; x < width; x++) {
      const fx = ((x + 0.5) / scale - region.left) / region.width;
      if (fx < 0 || fx >= 1) continue;
      const gx = Math.min(Math.max(fx * w - 0.5, 0), w - 1);
      const x0 = Math.floor(gx);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = gx - x0;
      const v =
        (values[y0 * w + x0]! * (1 - tx) + values[y0 * w + x1]! * tx) * (1 - ty) +
        (values[y1 * w + x0]! * (1 - tx) + values[y1 * w + x1]! * tx) * ty;
      data.set(ramp(v), (y * width + x) * 4);
    }
  }
  return data;
}

describe("heat-map overlay", () => {
  test("the written-out colour ramp renders the same bytes as the ramp", () => {
    let state = 7;
    const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 12; t++) {
      const width = 1 + Math.floor(random() * 9);
      const height = 1 + Math.floor(random() * 9);
      const map: ActivationMap = {
        width,
        height,
        values: new Float32Array(width * height).map(() => random()),
        region: { left: random() * 40, top: random() * 40, width: 300, height: 200 },
      };
      const scale = 0.3 + random();
      const fast = renderHeatmap(map, 360, 260, scale);
      const slow = byRamp(map, 360, 260, scale);
      expect(Buffer.from(fast.data).equals(Buffer.from(slow))).toBe(true);
      expect(fast.data.some((v) => v > 0)).toBe(true);
    }
  });
});
