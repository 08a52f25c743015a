import sharp from "sharp";
import { decodeImage } from "~/classifier/decode.server";
import { classifyBytes } from "~/classifier/node.server";
import { cropTop, EVAL_EYEPIECE, eyepiece } from "../../scripts/model/recapture";
import { syntheticSmear } from "./images";

/**
 * The first generated smear, from `seed` on, that the shipped model accepts (verdict "ok").
 * Generated fields are only roughly smear-like, so the input check refuses some of them; the
 * stories that need a staged result take one it accepts, whatever the model version.
 */
export async function assessableSmear(
  seed: number,
  size: number,
  format: "jpeg" | "png",
): Promise<{ seed: number; bytes: Buffer }> {
  for (let s = seed; s < seed + 50; s++) {
    const bytes = await syntheticSmear(s, size, size, format);
    if ((await classifyBytes(bytes)).classification.verdict === "ok") return { seed: s, bytes };
  }
  throw new Error(`No generated smear from seed ${seed} is accepted by the shipped model.`);
}

/**
 * A generated smear the shipped model stages as it is, photographed through a simulated eyepiece
 * (2.5× the pixels, round stop, vignetting, warm white balance, slight blur) as a JPEG — the
 * first such photo that the model also stages.
 */
export async function eyepieceSmear(seed = 1): Promise<{ seed: number; bytes: Buffer }> {
  for (let s = seed; s < seed + 50; s++) {
    const plain = await syntheticSmear(s, 224, 224, "png");
    if ((await classifyBytes(plain)).classification.verdict !== "ok") continue;
    const image = await decodeImage(plain);
    const photo = eyepiece(cropTop(image, 192), EVAL_EYEPIECE);
    const bytes = await sharp(Buffer.from(photo.data), {
      raw: { width: photo.width, height: photo.height, channels: 3 },
    })
      .jpeg({ quality: 90 })
      .toBuffer();
    if ((await classifyBytes(bytes)).classification.verdict === "ok") return { seed: s, bytes };
  }
  throw new Error(`No generated eyepiece photo from seed ${seed} is staged by the shipped model.`);
}
