/**
 * The shipped model's runtime settings (`runtime.json` beside `model.json`): what the
 * preprocessing, calibration and input checks need, identical on server and browser.
 */
export type ColourMode = "rgb" | "luma";

export type RuntimeConfig = {
  version: string;
  inputSize: number;
  colour: ColourMode;
  /** Average the 8 flips / rotations of each image (test-time augmentation). */
  tta?: boolean;
  /** Temperature fitted on validation: probabilities = softmax(logits / temperature). */
  temperature: number;
  /** Out-of-distribution test on the pooled features (see docs/model.md). */
  ood: {
    classMeans: number[][];
    featureStd: number[];
    /** Largest accepted distance (a validation quantile). */
    maxDistance: number;
  };
  /** Stain colour and image quality limits, from training-image percentiles. */
  checks: {
    minStain: number;
    maxStain: number;
    minSharpness: number;
    minContrast: number;
    minBrightness: number;
    maxBrightness: number;
    maxFlatFraction: number;
  };
};
