/**
 * Inference with each batch normalisation folded into the convolution before it, and each ReLU
 * into that convolution too: one fused kernel per block instead of three (on wasm, the separate
 * batch-norm op was a third of the network's time). The same network: w' = w·γ/√(σ²+ε) and
 * b' = β − μ·γ/√(σ²+ε) per output channel, so the outputs differ from the layer-by-layer model
 * only by float rounding (measured ≤ 1e-5 on the logits, see decision 043). Only the layers the
 * staging network is built from are folded, in a chain or in branches joined by a concatenation
 * (an ensemble); anything else returns null and the caller runs the layers model as it is.
 */
import * as tf from "@tensorflow/tfjs";

/** image batch → one tensor per requested layer output, in `outputs` order. */
export type Inference = (x: tf.Tensor4D) => tf.Tensor[];

/** One operation; `input` is the index of the value it reads (0: the image, i + 1: step i's output). */
type Step = { input: number } & (
  | {
      kind: "conv";
      filter: tf.Tensor4D;
      bias?: tf.Tensor1D;
      strides: [number, number];
      pad: "same" | "valid";
      dilations: [number, number];
      relu: boolean;
    }
  | { kind: "relu" }
  | { kind: "pool"; size: [number, number]; strides: [number, number]; pad: "same" | "valid" }
  | { kind: "gap" }
  | { kind: "identity" }
  | { kind: "dense"; kernel: tf.Tensor2D; bias?: tf.Tensor1D }
  | { kind: "concat"; inputs: number[] }
);

const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : [v[0]!, v[1] ?? v[0]!];

/** A layer's kernel and optional bias, copied and kept (the model may be disposed). */
function keptWeights<Kernel extends tf.Tensor>(layer: tf.layers.Layer) {
  const [kernel, bias] = layer.getWeights();
  return {
    kernel: tf.keep(kernel!.clone() as Kernel),
    bias: bias && tf.keep(bias.clone() as tf.Tensor1D),
  };
}

/**
 * Fold the model for inference, or null when it holds a layer or a connection this does not
 * know how to fold. Branches joined by a channel concatenation (an ensemble's members, see
 * scripts/model/ensemble.ts) fold branch by branch.
 */
export function foldModel(model: tf.LayersModel, outputs: string[]): Inference | null {
  const steps: Step[] = [];
  /** Layer name → index of the value holding its output (0: the image). */
  const values = new Map<string, number>();
  const valueOf = (layer: tf.layers.Layer) => values.get(layer.name);
  /** The step whose output another layer may fold into: read by that layer alone, not requested. */
  const foldable = (layer: tf.layers.Layer) => {
    const index = valueOf(layer);
    if (index === undefined || index === 0 || outputs.includes(layer.name)) return undefined;
    if (layer.outboundNodes.length !== 1) return undefined;
    return steps[index - 1];
  };
  const push = (layer: tf.layers.Layer, step: Step) => {
    steps.push(step);
    values.set(layer.name, steps.length);
  };
  for (const layer of model.layers) {
    const config = layer.getConfig() as Record<string, unknown>;
    const type = layer.getClassName();
    if (type === "InputLayer") {
      if (values.size > 0) return null;
      values.set(layer.name, 0);
      continue;
    }
    const inbound = layer.inboundNodes;
    if (inbound.length !== 1) return null;
    const sources = inbound[0]!.inboundLayers;
    const indices = sources.map(valueOf);
    if (indices.some((i) => i === undefined)) return null;
    if (type === "Concatenate") {
      const axis = config.axis as number;
      if (axis !== -1 && axis !== 3) return null;
      push(layer, { kind: "concat", input: indices[0]!, inputs: indices as number[] });
      continue;
    }
    if (sources.length !== 1) return null;
    const source = sources[0]!;
    const input = indices[0]!;
    const activation = config.activation as string | undefined;
    if (activation !== undefined && activation !== "linear") return null;
    if (type === "Conv2D") {
      if (config.dataFormat !== "channelsLast") return null;
      const { kernel, bias } = keptWeights<tf.Tensor4D>(layer);
      push(layer, {
        kind: "conv",
        input,
        filter: kernel,
        bias,
        strides: pair(config.strides as number[], 1),
        pad: config.padding as "same" | "valid",
        dilations: pair(config.dilationRate as number[], 1),
        relu: false,
      });
    } else if (type === "BatchNormalization") {
      const last = foldable(source);
      if (last?.kind !== "conv" || last.relu) return null;
      const axis = config.axis as number;
      if (axis !== -1 && axis !== 3) return null;
      foldBatchNorm(last, layer, config);
      values.delete(source.name);
      values.set(layer.name, input);
    } else if (type === "ReLU") {
      if (config.maxValue != null || (config.negativeSlope as number | undefined)) return null;
      const last = foldable(source);
      if (last?.kind === "conv" && !last.relu) {
        last.relu = true;
        values.delete(source.name);
        values.set(layer.name, input);
      } else push(layer, { kind: "relu", input });
    } else if (type === "MaxPooling2D") {
      if (config.dataFormat !== "channelsLast") return null;
      const size = pair(config.poolSize as number[], 2);
      push(layer, {
        kind: "pool",
        input,
        size,
        strides: config.strides ? pair(config.strides as number[], 2) : size,
        pad: config.padding as "same" | "valid",
      });
    } else if (type === "GlobalAveragePooling2D") {
      if (config.dataFormat !== "channelsLast") return null;
      push(layer, { kind: "gap", input });
    } else if (type === "Dropout") {
      push(layer, { kind: "identity", input });
    } else if (type === "Dense") {
      const { kernel, bias } = keptWeights<tf.Tensor2D>(layer);
      push(layer, { kind: "dense", input, kernel, bias });
    } else return null;
  }
  // Every requested output must be the output of a step (not folded away inside one).
  if (!outputs.every((name) => values.has(name))) return null;
  const wanted = outputs.map((name) => values.get(name)!);
  return (image) => {
    const computed: tf.Tensor[] = [image];
    for (const step of steps) computed.push(run(step, computed));
    return wanted.map((i) => computed[i]!);
  };
}

/** w' = w·γ/√(σ²+ε), b' = β − μ·γ/√(σ²+ε) (+ b·γ/√(σ²+ε)) per output channel, in place. */
function foldBatchNorm(
  conv: Extract<Step, { kind: "conv" }>,
  layer: tf.layers.Layer,
  config: Record<string, unknown>,
) {
  const weights = layer.getWeights();
  let i = 0;
  const gamma = config.scale !== false ? weights[i++] : undefined;
  const beta = config.center !== false ? weights[i++] : undefined;
  const mean = weights[i++]!;
  const variance = weights[i++]!;
  const epsilon = config.epsilon as number;
  const folded = tf.tidy(() => {
    let s = tf.rsqrt(tf.add(variance, epsilon));
    if (gamma) s = tf.mul(s, gamma);
    const filter = tf.mul(conv.filter, s) as tf.Tensor4D;
    let bias = tf.neg(tf.mul(mean, s));
    if (conv.bias) bias = tf.add(bias, tf.mul(conv.bias, s));
    if (beta) bias = tf.add(bias, beta);
    return [filter, bias as tf.Tensor1D] as const;
  });
  conv.filter.dispose();
  conv.bias?.dispose();
  conv.filter = tf.keep(folded[0]);
  conv.bias = tf.keep(folded[1]);
}

function run(step: Step, values: tf.Tensor[]): tf.Tensor {
  const x = values[step.input]!;
  switch (step.kind) {
    case "conv":
      return tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: step.filter,
        strides: step.strides,
        pad: step.pad,
        dilations: step.dilations,
        bias: step.bias,
        activation: step.relu ? "relu" : "linear",
      });
    case "relu":
      return tf.relu(x);
    case "pool":
      return tf.maxPool(x as tf.Tensor4D, step.size, step.strides, step.pad);
    case "gap":
      return tf.mean(x, [1, 2]);
    case "identity":
      return x;
    case "dense":
      return tf.fused.matMul({ a: x as tf.Tensor2D, b: step.kernel, bias: step.bias });
    case "concat":
      return tf.concat(
        step.inputs.map((i) => values[i]!),
        -1,
      );
  }
}
