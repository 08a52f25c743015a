import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { getEnv } from "~/env.server";

export const IMAGE_FILES = {
  original: { name: "original.jpg", contentType: "image/jpeg" },
  thumbnail: { name: "thumbnail.jpg", contentType: "image/jpeg" },
  heatmap: { name: "heatmap.png", contentType: "image/png" },
} as const;
export type ImageFile = keyof typeof IMAGE_FILES;
export const IMAGE_FILE_NAMES = Object.keys(IMAGE_FILES) as ImageFile[];

/** What the crash sweep found in one key's folder. */
export type StoredKey = {
  key: string;
  /** Files under their final name with at least one byte. */
  complete: ImageFile[];
  /** Left-overs of an interrupted write: `*.tmp` files and empty files. */
  debris: string[];
};

/**
 * Where uploaded images live, outside public/. The file system now; an object store
 * (S3, R2, GCS) implements the same calls for serverless deployments (its PUT is atomic, so
 * it never has debris). `list` and `removeSync` serve the crash sweep (docs/decisions/034).
 */
export interface ImageStore {
  /** Durable when it resolves: written under a temporary name, synced, renamed, synced. */
  put(key: string, file: ImageFile, bytes: Uint8Array): Promise<void>;
  get(key: string, file: ImageFile): Promise<Buffer | null>;
  deleteAll(key: string): Promise<void>;
  /** Every key that has a folder, with what is in it. */
  list(): Promise<StoredKey[]>;
  /** Remove one key's files, synchronously (the housekeeping job is synchronous). */
  removeSync(key: string): void;
  /** Remove debris files of a key (never a complete file). */
  removeDebris(key: string, names: string[]): Promise<void>;
}

/** Keys are random and checked, so a key can never walk out of the store's folder. */
export const newImageKey = () => crypto.randomBytes(18).toString("base64url");
const KEY_PATTERN = /^[A-Za-z0-9_-]{24}$/;
export const isImageKey = (key: string) => KEY_PATTERN.test(key);

const FILE_OF_NAME = new Map<string, ImageFile>(
  IMAGE_FILE_NAMES.map((file) => [IMAGE_FILES[file].name, file]),
);

async function syncPath(target: string) {
  const handle = await fsp.open(target, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function fileSystemStore(root: string): ImageStore {
  const dir = (key: string) => {
    if (!isImageKey(key)) throw new Error("Invalid image key");
    return path.join(root, key.slice(0, 2), key);
  };
  return {
    async put(key, file, bytes) {
      await fsp.mkdir(dir(key), { recursive: true });
      const target = path.join(dir(key), IMAGE_FILES[file].name);
      // Write, sync, rename, sync the folder: a crash (or a power cut) never leaves a
      // half-written image under the final name, and a resolved put survives both.
      const temp = `${target}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
      const handle = await fsp.open(temp, "wx", 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(temp, target);
      await syncPath(dir(key));
    },
    async get(key, file) {
      try {
        return await fsp.readFile(path.join(dir(key), IMAGE_FILES[file].name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async deleteAll(key) {
      await fsp.rm(dir(key), { recursive: true, force: true });
    },
    removeSync(key) {
      fs.rmSync(dir(key), { recursive: true, force: true });
    },
    async list() {
      const found: StoredKey[] = [];
      const prefixes = await fsp.readdir(root).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return [] as string[];
        throw error;
      });
      for (const prefix of prefixes) {
        const keys = await fsp.readdir(path.join(root, prefix)).catch(() => [] as string[]);
        for (const key of keys) {
          if (!isImageKey(key) || key.slice(0, 2) !== prefix) continue;
          const entry: StoredKey = { key, complete: [], debris: [] };
          for (const name of await fsp.readdir(dir(key)).catch(() => [] as string[])) {
            const stat = await fsp.stat(path.join(dir(key), name)).catch(() => null);
            if (!stat?.isFile()) continue;
            const file = FILE_OF_NAME.get(name);
            if (file && stat.size > 0) entry.complete.push(file);
            else entry.debris.push(name);
          }
          found.push(entry);
        }
      }
      return found;
    },
    async removeDebris(key, names) {
      for (const name of names) {
        if (name.includes("/") || name.includes("\\")) continue;
        const file = path.join(dir(key), name);
        const stat = await fsp.stat(file).catch(() => null);
        // Only what is still debris: a temporary name, or a file that is still empty.
        if (stat && (name.endsWith(".tmp") || stat.size === 0)) await fsp.rm(file, { force: true });
      }
    },
  };
}

export const imageStoreRoot = (dataDir = getEnv().DATA_DIR) => path.resolve(dataDir, "images");

let store: ImageStore | undefined;
export function getImageStore(): ImageStore {
  store ??= fileSystemStore(imageStoreRoot());
  return store;
}

/** A stored image as a response: never cached, never sniffed, its fixed content type. */
export function privateImageResponse(image: { bytes: Uint8Array; contentType: string }) {
  return new Response(new Uint8Array(image.bytes), {
    headers: {
      "Content-Type": image.contentType,
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
      "Content-Disposition": "inline",
    },
  });
}
