/**
 * Re-measure a model folder and compare with its model card:
 *   npm run eval -- --data <dataset dir> [--split test] [--model public/models/<version>] [--write]
 * Prints the metrics as JSON; exits 1 if a figure differs from the card. --write rewrites
 * the card; --calibrate first re-fits runtime.json (temperature, input checks) from the
 * training and validation splits.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { startWasmBackend } from "~/classifier/backend.server";
import { currentModelDir } from "~/classifier/node.server";
import type { ColourMode } from "~/classifier/runtime";
import { calibrate } from "./calibrate";
import { loadDataset, type Split } from "./dataset";
import { evaluateToCard, measure } from "./evaluate";

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    split: { type: "string", default: "test" },
    model: { type: "string" },
    write: { type: "boolean", default: false },
    calibrate: { type: "boolean", default: false },
    tta: { type: "boolean", default: false },
  },
});
if (!values.data) {
  console.error(
    "usage: npm run eval -- --data <dataset dir> [--split test|validation|train] [--model <dir>]",
  );
  process.exit(2);
}
await startWasmBackend();
const dir = values.model ?? (await currentModelDir());
const card = JSON.parse(
  await fs.readFile(path.join(dir, "model-card.json"), "utf8").catch(() => "{}"),
) as {
  inputSize?: number;
  metrics?: unknown;
};
const training = JSON.parse(await fs.readFile(path.join(dir, "training.json"), "utf8")) as {
  architecture: { inputSize: number };
  colour: ColourMode;
};
const samples = await loadDataset(values.data);
if (values.calibrate) await calibrate(dir, samples, training.colour, { tta: values.tta });
if (values.write) {
  await evaluateToCard(dir, values.data, samples);
} else {
  const metrics = await measure(dir, values.data, samples, values.split as Split);
  console.log(JSON.stringify(metrics, null, 2));
  if (values.split === "test") {
    const same = JSON.stringify(metrics) === JSON.stringify(card.metrics);
    console.log(
      same
        ? "The model card's test metrics are reproduced exactly."
        : "These figures differ from the model card.",
    );
    process.exitCode = same ? 0 : 1;
  }
}
