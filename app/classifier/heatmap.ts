/** Render an activation map as a transparent RGBA overlay the size of the image (or smaller). */
import type { ActivationMap } from "./classify";

/** Longest side of a rendered heat-map overlay, in pixels. */
export const HEATMAP_MAX_SIDE = 256;

export type RgbaImage = { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> };

/** Colour ramp from transparent blue through yellow to opaque red. */
function ramp(v: number): [number, number, number, number] {
  const r = Math.min(1, v * 2);
  const g = v < 0.5 ? v * 2 : 2 - v * 2;
  const b = Math.max(0, 1 - v * 3);
  return [r * 255, g * 255, b * 255, v < 0.15 ? 0 : Math.min(200, v * 220)];
}

/**
 * The map is bilinearly upsampled over the model's region of the image; outside that
 * region (the cropped-off border) the overlay is transparent. `scale` < 1 renders a
 * smaller overlay for the same image (CSS stretches it over the picture).
 */
export function renderHeatmap(
  map: ActivationMap,
  imageWidth: number,
  imageHeight: number,
  scale = 1,
): RgbaImage {
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
      const [r, g, b, a] = ramp(v);
      const o = (y * width + x) * 4;
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
      data[o + 3] = a;
    }
  }
  return { width, height, data };
}
