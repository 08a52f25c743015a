/**
 * A capture's tiles go through the network one at a time (docs/performance.md, "Uploads"): the
 * same outputs to the bit as one batch of all of them, and a wasm heap that keeps its initial
 * size instead of growing for a batch's activations (a wasm memory never shrinks).
 */
import * as tf from "@tensorflow/tfjs";
import { TILE } from "~/classifier/capture";
import { analyseCapture, runNetwork, type RawOutput } from "~/classifier/classify";
import { decodeImage } from "~/classifier/decode.server";
import { currentModelDir, loadClassifier } from "~/classifier/node.server";
import { smearLikeJpeg } from "../../scripts/lib/smear";

/** The wasm backend's heap, in bytes (tfjs-backend-wasm's emscripten module). */
const wasmHeapBytes = () =>
  (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
const bits = (values: Float32Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.length * 4);
// emscripten's INITIAL_MEMORY for tfjs-backend-wasm
const INITIAL_WASM_HEAP = 16 * 1024 * 1024;

describe("a capture's tiles, one at a time", () => {
  test("the upload benchmark's six-tile photo leaves the wasm heap at its initial size", async () => {
    const classifier = await loadClassifier(await currentModelDir());
    expect(wasmHeapBytes()).toBe(INITIAL_WASM_HEAP);
    const image = await decodeImage(await smearLikeJpeg());
    const { capture } = analyseCapture(classifier, image);
    expect(capture.tiles).toHaveLength(6);
    expect(wasmHeapBytes()).toBe(INITIAL_WASM_HEAP);
  });

  test("give the outputs of one batch of all the tiles, to the bit", async () => {
    const classifier = await loadClassifier(await currentModelDir());
    const same = (one: RawOutput, batched: RawOutput) =>
      bits(one.logits).equals(bits(batched.logits)) &&
      bits(one.pooled).equals(bits(batched.pooled)) &&
      bits(one.maps).equals(bits(batched.maps));
    // The benchmark's photo (six tiles), then seeded random tiles in batches of two to eight.
    const { capture, outputs } = analyseCapture(
      classifier,
      await decodeImage(await smearLikeJpeg()),
    );
    const batched = runNetwork(
      classifier,
      capture.tiles.map((t) => t.pixels),
    );
    expect(outputs.every((one, i) => same(one, batched[i]!))).toBe(true);
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    for (let size = 2; size <= 8; size++) {
      const tiles = Array.from({ length: size }, () =>
        Uint8Array.from({ length: TILE * TILE * 3 }, random),
      );
      const all = runNetwork(classifier, tiles);
      expect(tiles.every((tile, i) => same(runNetwork(classifier, [tile])[0]!, all[i]!))).toBe(
        true,
      );
    }
  });
});
