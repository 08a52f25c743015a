/**
 * What a dataset archive may be. The two sizes come from the environment (LAB_MAX_UPLOAD_MB,
 * LAB_MAX_UNZIPPED_MB); the rest are fixed: no smear photo compresses 100-fold, and a
 * labelled dataset has no reason to hold more than 100,000 files.
 */
export type ArchiveLimits = {
  /** The upload itself, counted while it streams in. */
  maxUploadBytes: number;
  /** All entries together once unpacked, from the archive's directory and counted again. */
  maxUnpackedBytes: number;
  maxEntries: number;
  /** Unpacked over packed size of one entry (a zip bomb compresses far better). */
  maxRatio: number;
  /** Entries smaller than this are not held to the ratio (a tiny text file compresses well). */
  ratioFloorBytes: number;
  /** One image file. */
  maxEntryBytes: number;
};

export const MB = 1024 * 1024;

export function archiveLimits(env: {
  LAB_MAX_UPLOAD_MB: number;
  LAB_MAX_UNZIPPED_MB: number;
}): ArchiveLimits {
  return {
    maxUploadBytes: env.LAB_MAX_UPLOAD_MB * MB,
    maxUnpackedBytes: env.LAB_MAX_UNZIPPED_MB * MB,
    maxEntries: 100_000,
    maxRatio: 100,
    ratioFloorBytes: MB,
    maxEntryBytes: 50 * MB,
  };
}

/** Two images this close (bits of a 64-bit difference hash) are reported as near duplicates. */
export const NEAR_DUPLICATE_BITS = 4;

/** Largest over smallest class count above which the report warns of imbalance. */
export const IMBALANCE_WARNING_RATIO = 3;

/** Fewer images than this in a class and the report warns that it cannot be learned. */
export const MIN_IMAGES_PER_CLASS = 5;
