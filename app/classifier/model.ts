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
  let s = seed;
  const init = () => tf.initializers.heNormal({ seed: s++ });
  const input = tf.input({ shape: [arch.inputSize, arch.inputSize, 3], name: "image" });
  let x: tf.SymbolicTensor = input;
  arch.widths.forEach((filters, i) => {
    x = tf.layers
      .conv2d({
        filters,
        kernelSize: 3,
        padding: "same",
        useBias: false,
        kernelInitializer: init(),
        name: `conv${i + 1}`,
      })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers
      .batchNormalization({ momentum: 0.9, name: `bn${i + 1}` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${i + 1}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  const width = arch.widths[arch.widths.length - 1]!;
  x = tf.layers
    .conv2d({
      filters: width,
      kernelSize: 1,
      useBias: false,
      kernelInitializer: init(),
      name: "conv_head",
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({ momentum: 0.9, name: "bn_head" })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ name: FEATURE_LAYER }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: "gap" }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dropout({ rate: arch.dropout, seed: s++, name: "dropout" })
    .apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      units: CLASS_IDS.length,
      kernelInitializer: tf.initializers.glorotUniform({ seed: s++ }),
      name: "logits",
    })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: "hemalink_staging" });
}
