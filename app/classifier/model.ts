/** The network: a compact CNN whose last convolution feeds a linear head (so CAM = Grad-CAM). */
import * as tf from "@tensorflow/tfjs";
import { CLASS_IDS } from "./classes";

export const FEATURE_LAYER = "features";

export type Architecture = { inputSize: number; widths: number[]; dropout: number };

export const DEFAULT_ARCHITECTURE: Architecture = {
  inputSize: 128,
  widths: [16, 32, 64, 128],
  dropout: 0.3,
};

/**
 * conv3×3 → batch-norm → ReLU → max-pool per block, then a 1×1 feature convolution,
 * global average pooling and a dense layer giving logits (softmax and temperature are
 * applied outside the graph).
 */
export function buildModel(arch: Architecture, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [arch.inputSize, arch.inputSize, 3], name: "image" });
  const features = buildTrunk(input, arch, seed);
  return tf.model({
    inputs: input,
    outputs: buildHead(features, arch, seed + arch.widths.length + 1),
    name: "hemalink_staging",
  });
}

/**
 * The convolutional blocks up to the feature maps, their layers' names prefixed by `prefix`
 * (an ensemble holds one trunk per member side by side). Uses seeds seed … seed + blocks.
 */
export function buildTrunk(
  input: tf.SymbolicTensor,
  arch: Architecture,
  seed: number,
  prefix = "",
): tf.SymbolicTensor {
  let s = seed;
  const init = () => tf.initializers.heNormal({ seed: s++ });
  let x = input;
  arch.widths.forEach((filters, i) => {
    x = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: "same",
        useBias: false,
        kernelInitializer: init(),
        name: `${prefix}conv${i + 1}`,
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .batchNormalization({ momentum: 0.9, name: `${prefix}bn${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `${prefix}relu${i + 1}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .maxPooling2d({ poolSize: 2, name: `${prefix}pool${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
  });
  const width = arch.widths[arch.widths.length - 1]!;
  x = tf.layers
    .conv2d({
      filters: width,
      kernelSize: 1,
      useBias: false,
      kernelInitializer: init(),
      name: `${prefix}conv_head`,
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ momentum: 0.9, name: `${prefix}bn_head` })
    .apply(x) as tf.SymbolicTensor;
  return tf.layers.reLU({ name: `${prefix}${FEATURE_LAYER}` }).apply(x) as tf.SymbolicTensor;
}

/** Global average pooling, dropout and the dense layer giving logits. Uses seeds seed, seed + 1. */
export function buildHead(
  features: tf.SymbolicTensor,
  arch: Architecture,
  seed: number,
): tf.SymbolicTensor {
  let x = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(features) as tf.SymbolicTensor;
  x = tf.layers
    .dropout({ rate: arch.dropout, seed, name: "dropout" })
    .apply(x) as tf.SymbolicTensor;
  return tf.layers
    .dense({
      units: CLASS_IDS.length,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      name: "logits",
    })
    .apply(x) as tf.SymbolicTensor;
}
