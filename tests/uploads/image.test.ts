import sharp from "sharp";
import { ImageRejected, isHeif, prepareImage, sniffImageType } from "~/uploads/image.server";
import { jpegWithGps, smearLikeImage } from "./images";

async function rejection(bytes: Uint8Array) {
  try {
    await prepareImage(bytes);
  } catch (error) {
    if (error instanceof ImageRejected) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("image intake", () => {
  test.each(["jpeg", "png"] as const)(
    "a %s smear is re-encoded to JPEG with a thumbnail",
    async (format) => {
      const prepared = await prepareImage(await smearLikeImage(300, 200, format));
      expect(prepared.kind).toBe(format);
      expect(sniffImageType(prepared.stored)).toBe("jpeg");
      expect(await sharp(prepared.thumbnail).metadata()).toMatchObject({ width: 256, height: 256 });
    },
  );

  test("WebP and TIFF are recognised from their bytes", async () => {
    const base = await smearLikeImage(100, 100);
    expect(sniffImageType(await sharp(base).webp().toBuffer())).toBe("webp");
    expect(sniffImageType(await sharp(base).tiff().toBuffer())).toBe("tiff");
  });

  test("EXIF and GPS are dropped and the orientation is applied", async () => {
    const prepared = await prepareImage(await jpegWithGps());
    const meta = await sharp(prepared.stored).metadata();
    expect(meta.exif).toBeUndefined();
    // Orientation 6 rotates the 128×96 image to portrait.
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 96, height: 128 });
  });

  test("large images are bounded to 2048 px", async () => {
    const big = await sharp({
      create: { width: 4000, height: 3000, channels: 3, background: "#e0c0d0" },
    })
      .jpeg()
      .toBuffer();
    const meta = await sharp((await prepareImage(big)).stored).metadata();
    expect(Math.max(meta.width!, meta.height!)).toBe(2048);
  });

  test.each([
    ["an empty file", () => Buffer.alloc(0), 400, /empty/],
    [
      "an HTML file renamed .jpg",
      () => Buffer.from("<html><script>alert(1)</script></html>"),
      415,
      /not a JPEG/,
    ],
    [
      "an SVG",
      () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      415,
      /not a JPEG/,
    ],
    [
      "a file over 15 MB",
      () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(15 * 1024 * 1024)]),
      413,
      /15 MB/,
    ],
  ])("%s is refused", async (_, make, status, message) => {
    const result = await rejection(make());
    expect(result.status).toBe(status);
    expect(result.message).toMatch(message);
  });

  test("a truncated JPEG is refused as damaged", async () => {
    const jpeg = await smearLikeImage(400, 400);
    const result = await rejection(jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    expect(result).toEqual({ status: 422, message: expect.stringMatching(/damaged/) });
  });

  test("a pixel flood (a tiny PNG that decodes to 48 megapixels) is refused before decoding", async () => {
    const flood = await sharp({
      create: { width: 8000, height: 6000, channels: 3, background: "#000" },
    })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(flood.length).toBeLessThan(1_000_000);
    const result = await rejection(flood);
    expect(result).toEqual({ status: 413, message: expect.stringMatching(/40 megapixels/) });
  });

  test("an image too small to assess is refused", async () => {
    const result = await rejection(await smearLikeImage(40, 40));
    expect(result.message).toMatch(/too small/);
  });

  /** The start of an ISO base-media file: an `ftyp` box with these brands, then some data. */
  const isoMedia = (major: string, ...compatible: string[]) => {
    const brands = [major, "\0\0\0\0", ...compatible].join("");
    const box = Buffer.alloc(8 + brands.length);
    box.writeUInt32BE(box.length, 0);
    box.write("ftyp", 4, "latin1");
    box.write(brands, 8, "latin1");
    return Buffer.concat([box, Buffer.alloc(64)]);
  };

  test("an iPhone HEIC photo is refused with a message that names HEIC and how to switch to JPEG", async () => {
    for (const heic of [isoMedia("heic", "mif1", "heic"), isoMedia("mif1", "mif1", "heix")]) {
      const refused = await rejection(heic);
      expect(refused.status).toBe(415);
      expect(refused.message).toMatch(/HEIC/);
      expect(refused.message).toMatch(/Settings → Camera → Formats.*Most Compatible/);
    }
  });

  test("AVIF shares the container but is not taken for HEIC", () => {
    expect(isHeif(isoMedia("avif", "mif1", "miaf", "avif"))).toBe(false);
    expect(isHeif(Buffer.from("not an image at all, not even close"))).toBe(false);
  });
});
