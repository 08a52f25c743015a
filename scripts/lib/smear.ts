import sharp from "sharp";

/** ~1 MB JPEG: smear-like colours with fine noise so it does not compress away. */
export async function smearLikeJpeg(): Promise<Buffer> {
  const width = 1600;
  const height = 1200;
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 42;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 40) - 20;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const cell = Math.hypot((x % 90) - 45, (y % 90) - 45) < 22;
      pixels[i] = (cell ? 110 : 232) + noise();
      pixels[i + 1] = (cell ? 60 : 198) + noise();
      pixels[i + 2] = (cell ? 160 : 214) + noise();
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}
