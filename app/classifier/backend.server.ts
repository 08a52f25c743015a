/** TensorFlow.js on the WebAssembly backend, in Node. */
import { createRequire } from "node:module";
import path from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerWasmGradientKernels } from "./kernels";

let ready: Promise<void> | undefined;

/** Select the wasm backend once per process (idempotent, concurrency safe). */
export function startWasmBackend(): Promise<void> {
  ready ??= (async () => {
    const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(path.dirname(entry) + path.sep);
    registerWasmGradientKernels();
    if (!(await tf.setBackend("wasm"))) throw new Error("The WebAssembly backend failed to start");
    await tf.ready();
  })();
  return ready;
}
