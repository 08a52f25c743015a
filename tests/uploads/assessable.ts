import { classifyBytes } from "~/classifier/node.server";
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
