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
