/**
 * Inference with each batch normalisation folded into the convolution before it, and each ReLU
 * into that convolution too: one fused kernel per block instead of three (on wasm, the separate
 * batch-norm op was a third of the network's time). The same network: w' = w·γ/√(σ²+ε) and
 * b' = β − μ·γ/√(σ²+ε) per output channel, so the outputs differ from the layer-by-layer model
 * only by float rounding (measured ≤ 1e-5 on the logits, see decision 043). Only plain chains of
 * the layers the staging network is built from are folded; anything else returns null and the
 * caller runs the layers model as it is.
 */
import * as tf from "@tensorflow/tfjs";

/** image batch → one tensor per requested layer output, in `outputs` order. */
export type Inference = (x: tf.Tensor4D) => tf.Tensor[];

type Step =
  | {
      kind: "conv";
      name: string;
      filter: tf.Tensor4D;
      bias?: tf.Tensor1D;
      strides: [number, number];
      pad: "same" | "valid";
      dilations: [number, number];
      relu: boolean;
    }
  | { kind: "relu"; name: string }
  | {
      kind: "pool";
      name: string;
      size: [number, number];
      strides: [number, number];
      pad: "same" | "valid";
    }
  | { kind: "gap"; name: string }
  | { kind: "identity"; name: string }
  | { kind: "dense"; name: string; kernel: tf.Tensor2D; bias?: tf.Tensor1D };

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

/** Fold the model for inference, or null when it is not a chain this knows how to fold. */
export function foldModel(model: tf.LayersModel, outputs: string[]): Inference | null {
  const layers = model.layers;
  const steps: Step[] = [];
  let previous: tf.layers.Layer | undefined;
  for (const layer of layers) {
    const config = layer.getConfig() as Record<string, unknown>;
    const type = layer.getClassName();
    // A chain: every layer takes the previous one's output (and only that).
    if (type !== "InputLayer") {
      const inbound = layer.inboundNodes;
      if (inbound.length !== 1 || inbound[0]!.inboundLayers.length !== 1) return null;
      if (inbound[0]!.inboundLayers[0] !== previous) return null;
    }
    previous = layer;
    if (type === "InputLayer") continue;
    const activation = config.activation as string | undefined;
    if (activation !== undefined && activation !== "linear") return null;
    if (type === "Conv2D") {
      if (config.dataFormat !== "channelsLast") return null;
      const { kernel, bias } = keptWeights<tf.Tensor4D>(layer);
      steps.push({
        kind: "conv",
        name: layer.name,
        filter: kernel,
        bias,
        strides: pair(config.strides as number[], 1),
        pad: config.padding as "same" | "valid",
        dilations: pair(config.dilationRate as number[], 1),
        relu: false,
      });
    } else if (type === "BatchNormalization") {
      const last = steps[steps.length - 1];
      if (last?.kind !== "conv" || last.relu) return null;
      const axis = config.axis as number;
      if (axis !== -1 && axis !== 3) return null;
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
        const filter = tf.mul(last.filter, s) as tf.Tensor4D;
        let bias = tf.neg(tf.mul(mean, s));
        if (last.bias) bias = tf.add(bias, tf.mul(last.bias, s));
        if (beta) bias = tf.add(bias, beta);
        return [filter, bias as tf.Tensor1D] as const;
      });
      last.filter.dispose();
      last.bias?.dispose();
      last.filter = tf.keep(folded[0]);
      last.bias = tf.keep(folded[1]);
      last.name = layer.name;
    } else if (type === "ReLU") {
      if (config.maxValue != null || (config.negativeSlope as number | undefined)) return null;
      const last = steps[steps.length - 1];
      if (last?.kind === "conv" && !last.relu && !outputs.includes(last.name)) {
        last.relu = true;
        last.name = layer.name;
      } else steps.push({ kind: "relu", name: layer.name });
    } else if (type === "MaxPooling2D") {
      if (config.dataFormat !== "channelsLast") return null;
      const size = pair(config.poolSize as number[], 2);
      steps.push({
        kind: "pool",
        name: layer.name,
        size,
        strides: config.strides ? pair(config.strides as number[], 2) : size,
        pad: config.padding as "same" | "valid",
      });
    } else if (type === "GlobalAveragePooling2D") {
      if (config.dataFormat !== "channelsLast") return null;
      steps.push({ kind: "gap", name: layer.name });
    } else if (type === "Dropout") {
      steps.push({ kind: "identity", name: layer.name });
    } else if (type === "Dense") {
      const { kernel, bias } = keptWeights<tf.Tensor2D>(layer);
      steps.push({ kind: "dense", name: layer.name, kernel, bias });
    } else return null;
  }
  // Every requested output must be the output of a step (not folded away inside one).
  if (!outputs.every((name) => steps.some((s) => s.name === name))) return null;
  return (input) => {
    const found = new Map<string, tf.Tensor>();
    let x: tf.Tensor = input;
    for (const step of steps) {
      if (step.kind === "conv") {
        x = tf.fused.conv2d({
          x: x as tf.Tensor4D,
          filter: step.filter,
          strides: step.strides,
          pad: step.pad,
          dilations: step.dilations,
          bias: step.bias,
          activation: step.relu ? "relu" : "linear",
        });
      } else if (step.kind === "relu") x = tf.relu(x);
      else if (step.kind === "pool")
        x = tf.maxPool(x as tf.Tensor4D, step.size, step.strides, step.pad);
      else if (step.kind === "gap") x = tf.mean(x, [1, 2]);
      else if (step.kind === "dense")
        x = tf.fused.matMul({ a: x as tf.Tensor2D, b: step.kernel, bias: step.bias });
      found.set(step.name, x);
    }
    return outputs.map((name) => found.get(name)!);
  };
}
