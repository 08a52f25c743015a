/**
 * What every image store implements (the file system, S3): the stored files of an upload,
 * their keys, and the calls the uploads, the guarded image routes and the crash sweep use
 * (docs/decisions/034, 051). `./storage.server.ts` picks the store from the configuration.
 */
import crypto from "node:crypto";

export const IMAGE_FILES = {
  original: { name: "original.jpg", contentType: "image/jpeg" },
  thumbnail: { name: "thumbnail.jpg", contentType: "image/jpeg" },
  heatmap: { name: "heatmap.png", contentType: "image/png" },
} as const;
export type ImageFile = keyof typeof IMAGE_FILES;
export const IMAGE_FILE_NAMES = Object.keys(IMAGE_FILES) as ImageFile[];

const FILE_OF_NAME = new Map<string, ImageFile>(
  IMAGE_FILE_NAMES.map((file) => [IMAGE_FILES[file].name, file]),
);
/** The image file a stored name stands for (`original.jpg` → `original`), if any. */
export const imageFileNamed = (name: string) => FILE_OF_NAME.get(name);

/** What the crash sweep found under one key. */
export type StoredKey = {
  key: string;
  /** Files under their final name with at least one byte. */
  complete: ImageFile[];
  /**
   * Files written by an upload and not promoted yet (object stores: under the pending prefix).
   * The sweep promotes them when the key's analysis exists, and removes them otherwise.
   */
  pending: ImageFile[];
  /** Left-overs of an interrupted write: `*.tmp` files and empty files (file system only). */
  debris: string[];
};

/**
 * Where uploaded images live, outside public/, readable only through the guarded routes.
 * An upload `put`s its files before its analysis commits and `promote`s them after; a
 * failure before the commit `deleteAll`s them. `list`, `removeSync` and `removeDebris` serve
 * the crash sweep.
 */
export interface ImageStore {
  /** Durable when it resolves (file system: temporary name, synced, renamed, synced). */
  put(key: string, file: ImageFile, bytes: Uint8Array): Promise<void>;
  /** After the analysis committed: the files become the analysis's (S3: out of pending/). */
  promote(key: string): Promise<void>;
  get(key: string, file: ImageFile): Promise<Buffer | null>;
  deleteAll(key: string): Promise<void>;
  /** Every key that has files, with what is there. */
  list(): Promise<StoredKey[]>;
  /**
   * Remove an abandoned upload's files from the synchronous housekeeping job. The file store
   * removes them before it returns; an object store starts the removal (its files are all
   * pending, never served) and the start-up sweep removes any it could not.
   */
  removeSync(key: string): void;
  /** Remove debris files of a key (never a complete file). */
  removeDebris(key: string, names: string[]): Promise<void>;
}

/** Keys are random and checked, so a key can never walk out of the store's folder or prefix. */
export const newImageKey = () => crypto.randomBytes(18).toString("base64url");
const KEY_PATTERN = /^[A-Za-z0-9_-]{24}$/;
export const isImageKey = (key: string) => KEY_PATTERN.test(key);
