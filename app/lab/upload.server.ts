/**
 * The dataset upload, streamed to a file under `DATA_DIR/lab/incoming/` as it arrives (never
 * held in memory), counted against the cap while it streams; the other form fields are small.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import {
  NodeOnDiskFile,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import { getEnv } from "~/env.server";
import { DomainError, invalid } from "~/errors/domain-error";
import { archiveLimits, MB } from "./limits";

export const DATASET_FIELD = "dataset";

export const labRoot = (dataDir = getEnv().DATA_DIR) => path.resolve(dataDir, "lab");
export const incomingRoot = () => path.join(labRoot(), "incoming");

const tooLarge = (max: number) =>
  invalid(
    `The archive is larger than ${Math.round(max / MB)} MB (LAB_MAX_UPLOAD_MB); split the dataset into smaller archives.`,
    DATASET_FIELD,
    413,
  );

/** Uploads interrupted by a crash leave a folder here; the next upload clears the stale ones. */
async function clearStaleIncoming(olderThanMs = 24 * 3600 * 1000) {
  const root = incomingRoot();
  for (const name of await fsp.readdir(root).catch(() => [] as string[])) {
    const stat = await fsp.stat(path.join(root, name)).catch(() => null);
    if (stat && Date.now() - stat.mtimeMs > olderThanMs) {
      await fsp.rm(path.join(root, name), { recursive: true, force: true });
    }
  }
}

function streamToDisk(target: string, max: number): UploadHandler {
  return async ({ name, filename, data }) => {
    if (name !== DATASET_FIELD || !filename) return undefined;
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const out = fs.createWriteStream(target, { flags: "wx", mode: 0o600 });
    let size = 0;
    try {
      for await (const chunk of data) {
        size += chunk.byteLength;
        if (size > max) throw tooLarge(max);
        // Respect the disk's pace: a fast client never fills memory with unwritten chunks.
        if (!out.write(chunk)) await once(out, "drain");
      }
      out.end();
      await once(out, "finish");
    } catch (error) {
      out.destroy();
      await fsp.rm(target, { force: true });
      throw error;
    }
    return new NodeOnDiskFile(target, "application/zip") as unknown as File;
  };
}

/**
 * Read the upload form; the archive is streamed to a folder of its own under incoming/, which
 * the caller removes (`discardUpload`) once it is done with it, whatever the outcome.
 */
export async function readDatasetForm(
  request: Request,
  maxUploadBytes = archiveLimits(getEnv()).maxUploadBytes,
): Promise<FormData> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxUploadBytes + 64 * 1024) throw tooLarge(maxUploadBytes);
  const contentType = request.headers.get("content-type") ?? "";
  if (!contentType.startsWith("multipart/form-data") || !request.body) {
    throw invalid("Choose a zip archive to upload.", DATASET_FIELD);
  }
  await clearStaleIncoming();
  const folder = path.join(incomingRoot(), crypto.randomUUID());
  const target = path.join(folder, "upload.zip");
  try {
    const form = await unstable_parseMultipartFormData(
      request,
      unstable_composeUploadHandlers(
        streamToDisk(target, maxUploadBytes),
        unstable_createMemoryUploadHandler({ maxPartSize: 64 * 1024 }),
      ),
    );
    return form;
  } catch (error) {
    await fsp.rm(folder, { recursive: true, force: true });
    if (error instanceof DomainError) throw error;
    throw invalid("The upload was interrupted or malformed. Please try again.", DATASET_FIELD);
  }
}

/** The uploaded archive's path, when the form carried one. */
export function uploadedArchive(form: FormData): string | null {
  const file = form.get(DATASET_FIELD) as unknown as { getFilePath?: () => string } | null;
  return file && typeof file === "object" && file.getFilePath ? file.getFilePath() : null;
}

/** Remove what the upload wrote (its own folder under incoming/). */
export async function discardUpload(form: FormData): Promise<void> {
  const file = uploadedArchive(form);
  if (file && path.dirname(path.dirname(file)) === incomingRoot()) {
    await fsp.rm(path.dirname(file), { recursive: true, force: true });
  }
}
