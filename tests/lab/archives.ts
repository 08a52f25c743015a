import { zipSync, type Zippable } from "fflate";
import sharp from "sharp";
import { syntheticSmear } from "../uploads/images";
import { CLASS_FOLDERS, type ClassFolder } from "~/lab/vocabulary";

/**
 * A small generated labelled dataset: smear-like fields whose white-cell nuclei differ by class
 * in colour (so a tiny network can tell them apart), numbered like the project's data.
 */
export async function labelledSmear(folder: ClassFolder, n: number, size = 160): Promise<Buffer> {
  const tint = CLASS_FOLDERS.indexOf(folder);
  const base = await syntheticSmear(1000 * (tint + 1) + n, size, size, "png");
  return sharp(base)
    .modulate({ hue: tint * 40 })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export async function labelledFiles(perClass: number, size = 160): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const folder of CLASS_FOLDERS) {
    for (let n = 1; n <= perClass; n++) {
      files[`${folder}/${folder}_${String(n).padStart(3, "0")}.jpg`] = await labelledSmear(
        folder,
        n,
        size,
      );
    }
  }
  return files;
}

/** A zip of these entries (store-only for images, as real tools do; deflate for the rest). */
export function zipOf(files: Record<string, Uint8Array | string>): Buffer {
  const entries: Zippable = {};
  for (const [name, content] of Object.entries(files)) {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    entries[name] = [bytes, { level: /\.(jpe?g|png)$/i.test(name) ? 0 : 6 }];
  }
  return Buffer.from(zipSync(entries));
}
