/**
 * Join trained model folders into one ensemble model folder:
 *   npm run ensemble -- --data <dataset dir> --out public/models/<version> <member dir> <member dir> …
 * The members must share the architecture and the data split (the split is seeded by the data,
 * not by the training seed). The ensemble is one layers model: each member's convolutional trunk
 * side by side on the same input, their feature maps concatenated into `features`, then global
 * average pooling and one dense layer whose kernel is the members' kernels stacked and divided by
 * their number, and whose bias is their mean. Its logits are exactly the mean of the members'
 * logits, its class activation map the mean of theirs, so everything downstream (fold, heat-map,
 * calibration, the browser) treats it as any model. Then calibrates and writes the card.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { loadModel, saveModel } from "~/classifier/files.server";
import { buildHead, buildTrunk, FEATURE_LAYER, type Architecture } from "~/classifier/model";
import type { TrainingRecord } from "./evaluate";

export const memberPrefix = (i: number) => `m${i + 1}_`;

/** One layers model whose logits are the mean of the members' (same architecture). */
export function joinMembers(members: tf.LayersModel[], arch: Architecture): tf.LayersModel {
  const input = tf.input({ shape: [arch.inputSize, arch.inputSize, 3], name: "image" });
  const trunks = members.map((_, i) => buildTrunk(input, arch, 1, memberPrefix(i)));
  const features = tf.layers
    .concatenate({ axis: -1, name: FEATURE_LAYER })
    .apply(trunks) as tf.SymbolicTensor;
  const joined = tf.model({
    inputs: input,
    outputs: buildHead(features, arch, 1),
    name: "hemalink_staging_ensemble",
  });
  members.forEach((member, i) => {
    for (const layer of member.layers) {
      if (layer.name === "logits" || layer.getWeights().length === 0) continue;
      joined.getLayer(memberPrefix(i) + layer.name).setWeights(layer.getWeights());
    }
  });
  const n = members.length;
  const heads = members.map((m) => m.getLayer("logits").getWeights());
  const kernel = tf.tidy(() =>
    tf.div(
      tf.concat(
        heads.map(([k]) => k!),
        0,
      ),
      n,
    ),
  );
  const bias = tf.tidy(() => tf.div(tf.addN(heads.map(([, b]) => b!)), n));
  joined.getLayer("logits").setWeights([kernel, bias]);
  kernel.dispose();
  bias.dispose();
  return joined;
}

/** training.json of the ensemble: the members' records, and the totals a card shows. */
export function ensembleRecord(records: TrainingRecord[], sources: string[], weightBytes: number) {
  const first = records[0]!;
  const sum = (pick: (r: TrainingRecord) => number) => records.reduce((a, r) => a + pick(r), 0);
  return {
    ...first,
    architecture: { ...first.architecture, members: records.length },
    parameters: sum((r) => r.parameters),
    weightBytes,
    trainingSeconds: sum((r) => r.trainingSeconds),
    members: records.map((r, i) => ({
      from: path.basename(path.resolve(sources[i]!)),
      seed: r.seed,
      bestEpoch: r.bestEpoch,
      trainingSeconds: r.trainingSeconds,
      learningCurve: r.learningCurve,
    })),
  };
}

async function main() {
  const { values, positionals } = parseArgs({
    options: { data: { type: "string" }, out: { type: "string" } },
    allowPositionals: true,
  });
  if (!values.data || !values.out || positionals.length < 2) {
    console.error(
      "usage: npm run ensemble -- --data <dataset dir> --out <dir> <member dir> <member dir> …",
    );
    process.exit(2);
  }
  await startWasmBackend();
  const records = await Promise.all(
    positionals.map(
      async (dir) =>
        JSON.parse(await fs.readFile(path.join(dir, "training.json"), "utf8")) as TrainingRecord,
    ),
  );
  const arch = records[0]!.architecture;
  const same = (r: TrainingRecord) =>
    JSON.stringify([r.architecture, r.colour]) === JSON.stringify([arch, records[0]!.colour]);
  if (!records.every(same)) {
    console.error("The members must share the architecture and the colour mode.");
    process.exit(2);
  }
  const members = await Promise.all(positionals.map((dir) => loadModel(dir)));
  const joined = joinMembers(members, arch);
  const weightBytes = await saveModel(joined, values.out);
  await fs.writeFile(
    path.join(values.out, "training.json"),
    JSON.stringify(ensembleRecord(records, positionals, weightBytes), null, 2) + "\n",
  );
  console.log(JSON.stringify({ event: "saved", out: values.out, weightBytes }));
  const { loadDataset } = await import("./dataset");
  const samples = await loadDataset(values.data);
  const { calibrate } = await import("./calibrate");
  await calibrate(values.out, samples, records[0]!.colour);
  const { evaluateToCard } = await import("./evaluate");
  await evaluateToCard(values.out, values.data, samples);
}

if (process.argv[1]?.endsWith("ensemble.ts")) await main();
