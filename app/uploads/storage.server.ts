import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { getEnv, type Env } from "~/env.server";
import {
  IMAGE_FILES,
  imageFileNamed,
  isImageKey,
  type ImageStore,
  type StoredKey,
} from "./image-store.server";
import { s3Store, type S3Settings } from "./s3-store.server";

export {
  IMAGE_FILE_NAMES,
  IMAGE_FILES,
  isImageKey,
  newImageKey,
  type ImageFile,
  type ImageStore,
  type StoredKey,
} from "./image-store.server";

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
    // The rename in put is the promotion: a file under its final name is complete.
    async promote() {},
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
          const entry: StoredKey = { key, complete: [], pending: [], debris: [] };
          for (const name of await fsp.readdir(dir(key)).catch(() => [] as string[])) {
            const stat = await fsp.stat(path.join(dir(key), name)).catch(() => null);
            if (!stat?.isFile()) continue;
            const file = imageFileNamed(name);
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

/** The configured store: `IMAGE_STORE=file` (default, under DATA_DIR) or `s3` (docs/decisions/051). */
export function imageStoreFromEnv(env: Env = getEnv()): ImageStore {
  if (env.IMAGE_STORE === "s3") return s3Store(s3SettingsFromEnv(env));
  return fileSystemStore(imageStoreRoot(env.DATA_DIR));
}

/** The bucket and connection of `IMAGE_STORE=s3`, also used by the lab's dataset store. */
export function s3SettingsFromEnv(env: Env = getEnv()): S3Settings {
  return {
    bucket: env.S3_BUCKET!,
    region: env.S3_REGION,
    endpoint: env.S3_ENDPOINT,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
    credentials:
      env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
        : undefined,
  };
}

let store: ImageStore | undefined;
export function getImageStore(): ImageStore {
  store ??= imageStoreFromEnv();
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
