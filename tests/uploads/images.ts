import sharp from "sharp";

/** Generated test images: the dataset never enters the test suite. */
export function smearLikeImage(width = 224, height = 224, format: "jpeg" | "png" = "jpeg") {
  const channels = 3;
  const pixels = Buffer.alloc(width * height * channels);
  // Pale pink background with purple "nuclei" blobs, roughly like a Wright-Giemsa smear.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const cell = Math.hypot((x % 56) - 28, (y % 56) - 28) < 14;
      pixels[i] = cell ? 110 : 235;
      pixels[i + 1] = cell ? 60 : 200;
      pixels[i + 2] = cell ? 160 : 215;
    }
  }
  const image = sharp(pixels, { raw: { width, height, channels } });
  return format === "png" ? image.png().toBuffer() : image.jpeg().toBuffer();
}

export async function jpegWithGps(): Promise<Buffer> {
  const base = await smearLikeImage(128, 96);
  return sharp(base)
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: "TestCam" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 0/1" },
    })
    .jpeg()
    .toBuffer();
}

/**
 * A synthetic Wright-Giemsa-like field: pale background, red cells with central pallor,
 * one or two large purple lymphoid nuclei, sensor noise and slight blur. Seeded.
 */
export function syntheticSmear(
  seed = 1,
  width = 224,
  height = 224,
  format: "jpeg" | "png" = "png",
) {
  let s = seed >>> 0;
  const random = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const scale = width / 224;
  const pixels = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) pixels.set([236, 226, 232], i * 3);
  const disc = (cx: number, cy: number, r: number, paint: (d: number) => number[] | null) => {
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, Math.ceil(cy + r)); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, Math.ceil(cx + r)); x++) {
        const d = Math.hypot(x - cx, y - cy) / r;
        const colour = d <= 1 ? paint(d) : null;
        if (colour) pixels.set(colour, (y * width + x) * 3);
      }
    }
  };
  for (let n = 0; n < 55; n++) {
    disc(random() * width, random() * height, (8 + random() * 3) * scale, (d) =>
      d < 0.45 ? [228, 200, 212] : [214, 160, 178],
    );
  }
  for (let n = 0; n < 1 + Math.floor(random() * 2); n++) {
    const cx = (40 + random() * 144) * scale;
    const cy = (40 + random() * 120) * scale;
    disc(cx, cy, (19 + random() * 4) * scale, () => [200, 182, 222]);
    disc(cx + random() * 3, cy + random() * 3, (15 + random() * 3) * scale, () => {
      const t = random() * 30;
      return [96 + t, 62 + t * 0.6, 150 + t];
    });
  }
  const bytes = Buffer.alloc(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    bytes[i] = Math.max(0, Math.min(255, Math.round(pixels[i]! + (random() - 0.5) * 10)));
  }
  const image = sharp(bytes, { raw: { width, height, channels: 3 } }).blur(0.8 * scale);
  return format === "png" ? image.png().toBuffer() : image.jpeg({ quality: 92 }).toBuffer();
}
