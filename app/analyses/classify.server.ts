import { classifyPixels } from "~/classifier/classify";
import { getClassifier, heatmapPng } from "~/classifier/node.server";
import type { Classifier } from "./create.server";

/** The analysis flow's classifier: the shipped model on the server's wasm backend. */
export const classifySmear: Classifier = async (image) => {
  const result = {
    ...classifyPixels(await getClassifier(), image),
    width: image.width,
    height: image.height,
  };
  return { classification: result.classification, heatmapPng: await heatmapPng(result) };
};
