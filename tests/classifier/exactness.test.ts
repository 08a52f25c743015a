/**
 * The capture normalisation's speed-ups change no pixel: today's code gives, byte for byte, the
 * outputs of the version the shipped model was built on (decision 043), on generated smears,
 * re-captures and non-smears, random masks and random regions. `exactness-digests.json` holds
 * one digest per input and per output, taken from that version's code (kept in git history, see
 * the decision); a change of output means the model would see other pixels than it was trained
 * on: retrain, or undo the change.
 */
import { distanceTransform, normaliseCapture } from "~/classifier/capture";
import { resizeAreaTo } from "~/classifier/pixels";
import {
  areaResizes,
  capturesOf,
  distanceTransforms,
  nonSmearImages,
  smearImages,
  type Pipeline,
} from "./exactness-cases";
import digests from "./exactness-digests.json";

const today: Pipeline = { normaliseCapture, distanceTransform, resizeAreaTo };
const inputs = (cases: Record<string, string[]>) =>
  Object.fromEntries(Object.entries(cases).map(([name, [input]]) => [name, input]));

describe("exactness of the capture normalisation", () => {
  test("generated smears at several sizes, re-captured and colour-cast, give the same tiles", async () => {
    const got = capturesOf(today, await smearImages());
    // The same inputs first: if these differ, the image generators changed, not the normalisation.
    expect(inputs(got)).toEqual(inputs(digests.smears));
    expect(got).toEqual(digests.smears);
  });

  test("generated non-smears give the same tiles", async () => {
    const got = capturesOf(today, await nonSmearImages());
    expect(inputs(got)).toEqual(inputs(digests.nonSmears));
    expect(got).toEqual(digests.nonSmears);
  });

  test("the distance transform is the same to the bit on random masks, empty and full ones", () => {
    expect(distanceTransforms(today)).toEqual(digests.distanceTransforms);
  });

  test("the area resize is the same to the bit, down and up, on regions", () => {
    expect(areaResizes(today)).toEqual(digests.areaResizes);
  });
});
