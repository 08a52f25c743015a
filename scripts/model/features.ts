/** Run a trained model folder over model pixels: logits, pooled features, image statistics. */
import { imageStats, type ImageStats } from "~/classifier/checks";
import { prepareClassifier, runNetwork, type LoadedClassifier } from "~/classifier/classify";
import { loadModel } from "~/classifier/files.server";
import type { RuntimeConfig } from "~/classifier/runtime";

export type Output = { logits: Float32Array; pooled: Float32Array; stats: ImageStats };

export async function openFolder(dir: string, config: RuntimeConfig): Promise<LoadedClassifier> {
  return prepareClassifier(await loadModel(dir), config);
}

export function outputs(c: LoadedClassifier, pixels: Uint8Array[], batch = 64): Output[] {
  const result: Output[] = [];
  for (let i = 0; i < pixels.length; i += batch) {
    const chunk = pixels.slice(i, i + batch);
    runNetwork(c, chunk).forEach((out, j) =>
      result.push({
        logits: out.logits,
        pooled: out.pooled,
        stats: imageStats(chunk[j]!, c.config.inputSize),
      }),
    );
  }
  return result;
}

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}
