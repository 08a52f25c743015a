/**
 * Join trained model folders into one model folder:
 *   npm run ensemble -- --data <dataset dir> --out public/models/<version> [--average] <member dir> <member dir> …
 * The members must share the architecture and the data split (the split is seeded by the data,
 * not by the training seed). Then calibrates and writes the card.
 *
 * By default the result is an ensemble, one layers model: each member's convolutional trunk
 * side by side on the same input, their feature maps concatenated into `features`, then global
 * average pooling and one dense layer whose kernel is the members' kernels stacked and divided by
 * their number, and whose bias is their mean. Its logits are exactly the mean of the members'
 * logits, its class activation map the mean of theirs, so everything downstream (fold, heat-map,
 * calibration, the browser) treats it as any model — at the members' summed cost.
 *
 * With --average the result is one network of the members' architecture whose every weight
 * (batch-norm statistics included) is the members' mean: a "uniform soup" (Wortsman et al.,
 * ICML 2022), at one network's cost. It only makes sense for members fine-tuned from one set of
 * weights, which stay in one basin of the loss; members trained from scratch average to noise.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { startWasmBackend } from "~/classifier/backend.server";
import { loadModel, saveModel } from "~/classifier/files.server";
import {
  buildHead,
  buildModel,
  buildTrunk,
  FEATURE_LAYER,
  type Architecture,
} from "~/classifier/model";
import type { TrainingRecord } from "./evaluate";

/**
 * The network a record describes, not how its weights were made: a weight average is one
 * network of its members' shape, so it can be a member (of another average) itself.
 */
export function networkOf(record: TrainingRecord): TrainingRecord["architecture"] {
  const { averagedFrom: _averagedFrom, ...network } = record.architecture;
  return network;
}

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

/**
 * One network of the members' architecture whose weights are the members' means, layer by layer
 * (a uniform model soup). The members must be the same network: same layers, same shapes.
 */
export function averageMembers(members: tf.LayersModel[], arch: Architecture): tf.LayersModel {
  const soup = buildModel(arch, 1);
  for (const layer of soup.layers) {
    if (layer.getWeights().length === 0) continue;
    const each = members.map((m) => m.getLayer(layer.name).getWeights());
    const shapes = JSON.stringify(each[0]!.map((w) => w.shape));
    if (!each.every((ws) => JSON.stringify(ws.map((w) => w.shape)) === shapes)) {
      throw new Error(`The members' layer ${layer.name} differs in shape.`);
    }
    const mean = each[0]!.map((_, k) =>
      tf.tidy(() => tf.div(tf.addN(each.map((ws) => ws[k]!)), members.length)),
    );
    layer.setWeights(mean);
    tf.dispose(mean);
  }
  return soup;
}

/**
 * training.json of the joined model: the members' records, and the totals a card shows. An
 * averaged model is one network (its parameters are one member's); an ensemble is all of them.
 */
export function ensembleRecord(
  records: TrainingRecord[],
  sources: string[],
  weightBytes: number,
  averaged = false,
) {
  const first = records[0]!;
  const sum = (pick: (r: TrainingRecord) => number) => records.reduce((a, r) => a + pick(r), 0);
  return {
    ...first,
    architecture: averaged
      ? { ...first.architecture, averagedFrom: records.length }
      : { ...first.architecture, members: records.length },
    parameters: averaged ? first.parameters : sum((r) => r.parameters),
    weightBytes,
    trainingSeconds: sum((r) => r.trainingSeconds),
    members: records.map((r, i) => ({
      from: path.basename(path.resolve(sources[i]!)),
      seed: r.seed,
      initialisedFrom: r.initialisedFrom ?? null,
      bestEpoch: r.bestEpoch,
      trainingSeconds: r.trainingSeconds,
      learningCurve: r.learningCurve,
    })),
  };
}

async function main() {
  const { values, positionals } = parseArgs({
    options: {
      data: { type: "string" },
      out: { type: "string" },
      average: { type: "boolean", default: false },
    },
    allowPositionals: true,
  });
  if (!values.data || !values.out || positionals.length < 2) {
    console.error(
      "usage: npm run ensemble -- --data <dataset dir> --out <dir> [--average] <member dir> <member dir> …",
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
  const arch = networkOf(records[0]!);
  const same = (r: TrainingRecord) =>
    JSON.stringify([networkOf(r), r.colour]) === JSON.stringify([arch, records[0]!.colour]);
  if (!records.every(same)) {
    console.error("The members must share the architecture and the colour mode.");
    process.exit(2);
  }
  const members = await Promise.all(positionals.map((dir) => loadModel(dir)));
  const joined = values.average ? averageMembers(members, arch) : joinMembers(members, arch);
  const weightBytes = await saveModel(joined, values.out);
  const record = ensembleRecord(records, positionals, weightBytes, values.average);
  await fs.writeFile(
    path.join(values.out, "training.json"),
    JSON.stringify(record, null, 2) + "\n",
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
