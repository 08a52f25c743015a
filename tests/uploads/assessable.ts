import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { decodeImage } from "~/classifier/decode.server";
import { classifyBytes } from "~/classifier/node.server";
import { cropTop, EVAL_EYEPIECE, eyepiece } from "../../scripts/model/recapture";
import { syntheticSmear } from "./images";

/**
 * Smears the shipped model stages, for the stories that need a staged result. Generated fields
 * are only roughly smear-like, and a model with strict benign cut-offs refuses most of them, so
 * when the project's development data sits beside it (`../shared/datasets/leukemia-all`, as in
 * CI) real leukaemic smears are tried first (re-encoded at the asked size and format: nothing is
 * copied into the project); generated ones otherwise.
 */
const REAL = path.resolve(process.cwd(), "../shared/datasets/leukemia-all");

function realSmears(from: number): string[] {
  if (!fs.existsSync(REAL)) return [];
  const files = ["Early", "Pre", "Pro"].flatMap((folder) => {
    const dir = path.join(REAL, folder);
    return fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((f) => /\.jpe?g$/i.test(f))
          .sort()
          .map((f) => path.join(dir, f))
      : [];
  });
  // Interleave the classes, starting at `from`, so each seed picks a different smear.
  return files
    .slice(from * 7)
    .concat(files.slice(0, from * 7))
    .filter((_, i) => i % 7 === 0);
}

async function encode(
  image: { width: number; height: number; data: Uint8Array },
  format: "jpeg" | "png",
  size?: number,
): Promise<Buffer> {
  let pipeline = sharp(Buffer.from(image.data), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
  if (size) pipeline = pipeline.resize(size, size, { fit: "fill" });
  return format === "jpeg" ? pipeline.jpeg({ quality: 92 }).toBuffer() : pipeline.png().toBuffer();
}

const staged = async (bytes: Buffer) =>
  (await classifyBytes(bytes)).classification.verdict === "ok";

/** The first smear from `seed` on that the shipped model stages (verdict "ok"). */
export async function assessableSmear(
  seed: number,
  size: number,
  format: "jpeg" | "png",
): Promise<{ seed: number; bytes: Buffer }> {
  for (const [i, file] of realSmears(seed).slice(0, 40).entries()) {
    const bytes = await encode(await decodeImage(fs.readFileSync(file)), format, size);
    if (await staged(bytes)) return { seed: seed + i, bytes };
  }
  for (let s = seed; s < seed + 50; s++) {
    const bytes = await syntheticSmear(s, size, size, format);
    if (await staged(bytes)) return { seed: s, bytes };
  }
  throw new Error(`No smear from seed ${seed} is accepted by the shipped model.`);
}

/**
 * A smear the shipped model stages as it is, photographed through a simulated eyepiece (2.5×
 * the pixels, round stop, vignetting, warm white balance, slight blur) as a JPEG — the first
 * such photo that the model also stages.
 */
export async function eyepieceSmear(seed = 1): Promise<{ seed: number; bytes: Buffer }> {
  const candidates: (() => Promise<Buffer>)[] = [
    ...realSmears(seed)
      .slice(0, 40)
      .map((file) => async () => fs.readFileSync(file)),
    ...Array.from({ length: 50 }, (_, i) => () => syntheticSmear(seed + i, 224, 224, "png")),
  ];
  for (const [i, plain] of candidates.entries()) {
    const bytes = await plain();
    if (!(await staged(bytes))) continue;
    const image = await decodeImage(bytes);
    const photo = eyepiece(cropTop(image, Math.floor(image.height * (6 / 7))), EVAL_EYEPIECE);
    const ocular = await encode(photo, "jpeg");
    if (await staged(ocular)) return { seed: seed + i, bytes: ocular };
  }
  throw new Error(`No eyepiece photo from seed ${seed} is staged by the shipped model.`);
}
