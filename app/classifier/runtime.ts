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
  /** The smear check's limits (see `smearReasons`); defaults when absent. */
  smear?: SmearCheck;
  /** The selective-staging rule (see `stagingAllowed`); defaults when absent. */
  staging?: StagingRule;
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

export type SmearCheck = {
  /** Red cells found in the field. */
  minRedCells: number;
  /** Largest spread of red-cell sizes (interquartile range over median). */
  maxSpread: number;
  /** Smallest fraction of round red cells. */
  minRound: number;
  /** Background (glass / plasma) fraction of the field. */
  minBackground: number;
  maxBackground: number;
  /** Smallest fraction of cell pixels in Romanowsky colours. */
  minStained: number;
  /** Smallest fraction of a model tile the photo's field must cover at model scale. */
  minCoverage: number;
  /** Smallest red-cell diameter in the photo, in pixels (below: too little resolution). */
  minRedCellPixels: number;
  /** Darkest accepted background (luma) before flat-fielding. */
  minBackgroundLuma: number;
  /** Smallest focus measure on the normalised tiles. */
  minFocus: number;
};

export type StagingRule = {
  /** A benign stage needs at least this probability of benign… */
  benignMin: number;
  /** …and at least this in every analysed tile. */
  benignTileMin: number;
  /** A leukaemia stage needs the three malignant classes together at least this likely. */
  malignantMin: number;
};
