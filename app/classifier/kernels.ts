/**
 * Backward kernels the WebAssembly backend lacks, built from public tf ops. Without
 * Conv2DBackpropFilter the wasm backend cannot train a CNN (nor compute a gradient
 * saliency map). The filter gradient of a convolution is itself a convolution: of the
 * input, batch and channels swapped, with the output gradient as the filter.
 */
import * as tf from "@tensorflow/tfjs";

type Conv2DBackpropFilterAttrs = {
  strides: [number, number] | number;
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dataFormat: "NHWC" | "NCHW";
  dimRoundingMode?: "floor" | "round" | "ceil";
  filterShape: [number, number, number, number];
};

const KERNEL = "Conv2DBackpropFilter";

/**
 * Hand a tensor computed inside a kernel back to the engine as a plain TensorInfo: keep
 * its data alive, drop the tensor object (the engine wraps the info in a new tensor).
 */
function release(t: tf.Tensor, backend: tf.KernelBackend): tf.TensorInfo {
  backend.incRef(t.dataId);
  const info = { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
  t.dispose();
  return info;
}

/** Wrap a kernel input as a tensor without stealing it from the engine. */
function borrow(info: tf.TensorInfo, backend: tf.KernelBackend): tf.Tensor {
  backend.incRef(info.dataId);
  return tf.engine().makeTensorFromDataId(info.dataId, info.shape, info.dtype, backend);
}

function conv2DBackpropFilter({ inputs, backend: b, attrs }: Parameters<tf.KernelFunc>[0]) {
  const backend = b as tf.KernelBackend;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  if (dataFormat !== "NHWC") throw new Error(`${KERNEL}: only NHWC is supported`);
  const result = tf.tidy(() => {
    const x = borrow(inputs.x!, backend) as tf.Tensor4D;
    const dy = borrow(inputs.dy!, backend) as tf.Tensor4D;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const { top, bottom, left, right } = info.padInfo;
    const [kh, kw] = filterShape;
    // [ci, H, W, B] ⊛ [outH, outW, B, co] with dilation = stride → [ci, ≥kh, ≥kw, co]
    const xT = tf.transpose(x, [3, 1, 2, 0]);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]);
    const padding: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
    let r = tf.conv2d(xT, dyT, 1, padding, "NHWC", [info.strideHeight, info.strideWidth]);
    if (r.shape[1] !== kh || r.shape[2] !== kw) {
      r = tf.slice(r, [0, 0, 0, 0], [-1, kh, kw, -1]);
    }
    return tf.transpose(r, [1, 2, 0, 3]);
  });
  return release(result, backend);
}

type Conv2DBackpropInputAttrs = Omit<Conv2DBackpropFilterAttrs, "filterShape"> & {
  inputShape: [number, number, number, number];
};

/**
 * The input gradient of a stride-1 convolution is a forward convolution of the output
 * gradient with the spatially flipped, in/out-swapped filter: several times faster than
 * wasm's own Conv2DBackpropInput. Other strides use the original kernel.
 */
function fastConv2DBackpropInput(original: tf.KernelFunc): tf.KernelFunc {
  return (config) => {
    const { inputs, attrs } = config;
    const backend = config.backend as tf.KernelBackend;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as Conv2DBackpropInputAttrs;
    const filterShape = inputs.filter!.shape as [number, number, number, number];
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    if (dataFormat !== "NHWC" || info.strideHeight !== 1 || info.strideWidth !== 1)
      return original(config);
    const result = tf.tidy(() => {
      const dy = borrow(inputs.dy!, backend) as tf.Tensor4D;
      const filter = borrow(inputs.filter!, backend) as tf.Tensor4D;
      const [kh, kw] = filterShape;
      const { top, bottom, left, right } = info.padInfo;
      const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
      return tf.conv2d(dy, flipped, 1, [
        [0, 0],
        [kh - 1 - top, kh - 1 - bottom],
        [kw - 1 - left, kw - 1 - right],
        [0, 0],
      ]);
    });
    return release(result, backend);
  };
}

/**
 * tfjs-core's batch-norm gradient tiles 1/σ to the input's full shape; wasm's Tile is
 * slow. The same gradient with broadcasting (mathematically identical).
 */
const batchNormGradient: tf.GradConfig = {
  kernelName: "FusedBatchNorm",
  inputsToSave: ["x", "mean", "variance", "scale"],
  gradFunc: (dy, saved, attrs) => {
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as tf.Tensor[];
    const g = dy as tf.Tensor;
    const scaleValue = scale ?? tf.scalar(1);
    const axes = tf.backend_util.getReductionAxes(mean!.shape, x!.shape);
    const reduce = (t: tf.Tensor) =>
      tf.reshape(mean!.rank === 1 ? tf.sum(t, axes) : t, mean!.shape);
    const xMinusMean = tf.sub(x!, mean!);
    const dyTimesScale = tf.mul(g, scaleValue);
    const rsqrt = tf.rsqrt(tf.add(variance!, tf.scalar(varianceEpsilon)));
    const minusHalfRCube = tf.mul(tf.mul(tf.mul(rsqrt, rsqrt), rsqrt), tf.scalar(-0.5));
    return {
      x: () => tf.reshape(tf.mul(tf.mul(g, rsqrt), scaleValue), x!.shape),
      mean: () => reduce(tf.mul(tf.neg(rsqrt), dyTimesScale)),
      variance: () => reduce(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScale)),
      scale: () => reduce(tf.mul(g, tf.mul(xMinusMean, rsqrt))),
      offset: () => reduce(g),
    };
  },
};

let registered = false;

/**
 * Register the missing and faster backward kernels for the wasm backend (idempotent).
 * The batch-norm gradient is replaced for every backend (same maths, no Tile).
 */
export function registerWasmGradientKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel(KERNEL, "wasm")) {
    tf.registerKernel({
      kernelName: KERNEL,
      backendName: "wasm",
      kernelFunc: conv2DBackpropFilter,
    });
  }
  const input = tf.getKernel("Conv2DBackpropInput", "wasm");
  if (input) {
    tf.unregisterKernel("Conv2DBackpropInput", "wasm");
    tf.registerKernel({
      kernelName: "Conv2DBackpropInput",
      backendName: "wasm",
      kernelFunc: fastConv2DBackpropInput(input.kernelFunc),
      setupFunc: input.setupFunc,
    });
  }
  const warn = console.warn;
  console.warn = () => {}; // tfjs warns that a gradient is overridden: that is the point
  try {
    tf.registerGradient(batchNormGradient);
  } finally {
    console.warn = warn;
  }
}
