import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { getEnv } from "~/env.server";

export const IMAGE_FILES = {
  original: { name: "original.jpg", contentType: "image/jpeg" },
  thumbnail: { name: "thumbnail.jpg", contentType: "image/jpeg" },
  heatmap: { name: "heatmap.png", contentType: "image/png" },
} as const;
export type ImageFile = keyof typeof IMAGE_FILES;

/**
 * Where uploaded images live, outside public/. The file system now; an object store
 * (S3, R2, GCS) implements the same four calls for serverless deployments.
 */
export interface ImageStore {
  put(key: string, file: ImageFile, bytes: Uint8Array): Promise<void>;
  get(key: string, file: ImageFile): Promise<Buffer | null>;
  deleteAll(key: string): Promise<void>;
}

/** Keys are random and checked, so a key can never walk out of the store's folder. */
export const newImageKey = () => crypto.randomBytes(18).toString("base64url");
const KEY_PATTERN = /^[A-Za-z0-9_-]{24}$/;

export function fileSystemStore(root: string): ImageStore {
  const dir = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error("Invalid image key");
    return path.join(root, key.slice(0, 2), key);
  };
  return {
    async put(key, file, bytes) {
      await fs.mkdir(dir(key), { recursive: true });
      const target = path.join(dir(key), IMAGE_FILES[file].name);
      // Write then rename: a crash never leaves a half-written image under the final name.
      const temp = `${target}.${process.pid}.tmp`;
      await fs.writeFile(temp, bytes, { mode: 0o600 });
      await fs.rename(temp, target);
    },
    async get(key, file) {
      try {
        return await fs.readFile(path.join(dir(key), IMAGE_FILES[file].name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async deleteAll(key) {
      await fs.rm(dir(key), { recursive: true, force: true });
    },
  };
}

let store: ImageStore | undefined;
export function getImageStore(): ImageStore {
  store ??= fileSystemStore(path.resolve(getEnv().DATA_DIR, "images"));
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
