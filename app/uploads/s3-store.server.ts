/**
 * The image store on S3 or an S3-compatible server (`IMAGE_STORE=s3`, docs/decisions/051).
 *
 * Objects are private (no ACL, no public URL: the guarded routes read them) and every PUT and
 * copy asks for server-side encryption (SSE-S3, AES256). The crash-consistency of the file store
 * (docs/decisions/034) carries over with two prefixes:
 *
 *   pending/<key>/<file>   written by an upload after its journal row committed
 *   images/<key>/<file>    promoted there once the analysis committed
 *
 * A crash before the commit leaves only pending objects, which nobody can read (no analysis
 * names the key) and the sweep removes; a crash after the commit leaves pending objects of a
 * committed analysis, which `get` still serves and the start-up sweep promotes. A PUT is
 * atomic, so there is never debris.
 *
 * The AWS SDK is loaded on first use: a server on the file store never pays for it (~23 MB of
 * RSS and ~0.6 s of start-up here).
 */
import type * as S3 from "@aws-sdk/client-s3";
import { logError } from "~/http/request-context.server";
import {
  IMAGE_FILE_NAMES,
  IMAGE_FILES,
  imageFileNamed,
  isImageKey,
  type ImageFile,
  type ImageStore,
  type StoredKey,
} from "./image-store.server";

export type S3Settings = {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Absent: the SDK's default chain (environment, instance or Lambda role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
};

const PENDING = "pending/";
const FINAL = "images/";
type S3Client = S3.S3Client;
let sdk: Promise<typeof S3> | undefined;
const loadSdk = () => (sdk ??= import("@aws-sdk/client-s3"));

const isMissing = (error: unknown) => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === "NoSuchKey" || e.$metadata?.httpStatusCode === 404;
};

export async function s3Client(settings: S3Settings): Promise<S3Client> {
  const { S3Client } = await loadSdk();
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle ?? false,
    credentials: settings.credentials,
    // Checksums only where S3 requires them: the default (a trailing checksum on every
    // upload) is not understood by every S3-compatible server.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}

/** An object's bytes, or null when there is none under that name. */
export async function getObject(client: S3Client, Bucket: string, name: string) {
  const s3 = await loadSdk();
  try {
    const answer = await client.send(new s3.GetObjectCommand({ Bucket, Key: name }));
    return answer.Body ? Buffer.from(await answer.Body.transformToByteArray()) : null;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

/** Write one private object, encrypted at rest (SSE-S3), as every PUT of the app does. */
export async function putObject(
  client: S3Client,
  Bucket: string,
  name: string,
  body: Uint8Array,
  contentType: string,
) {
  const s3 = await loadSdk();
  await client.send(
    new s3.PutObjectCommand({
      Bucket,
      Key: name,
      Body: body,
      ContentLength: body.byteLength,
      ContentType: contentType,
      ServerSideEncryption: "AES256",
    }),
  );
}

/** Every object under a prefix, with when it was written (paged: S3 answers 1,000 at a time). */
export async function listObjects(
  client: S3Client,
  Bucket: string,
  prefix: string,
): Promise<{ name: string; modified: Date | undefined }[]> {
  const s3 = await loadSdk();
  const found: { name: string; modified: Date | undefined }[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await client.send(
      new s3.ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key) found.push({ name: object.Key, modified: object.LastModified });
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return found;
}

/** Delete objects by name, 1,000 a request; a partial failure is an error. */
export async function deleteObjects(client: S3Client, Bucket: string, names: string[]) {
  const s3 = await loadSdk();
  for (let i = 0; i < names.length; i += 1000) {
    const chunk = names.slice(i, i + 1000);
    const answer = await client.send(
      new s3.DeleteObjectsCommand({
        Bucket,
        Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    if (answer.Errors?.length) {
      throw new Error(`S3 could not delete ${answer.Errors.length} object(s)`);
    }
  }
}

export function s3Store(settings: S3Settings, given?: S3Client): ImageStore {
  const Bucket = settings.bucket;
  let connecting: Promise<S3Client> | undefined;
  /** The SDK's commands and the client, created on the first call. */
  const ready = async () => {
    const commands = await loadSdk();
    connecting ??= given ? Promise.resolve(given) : s3Client(settings);
    return { s3: commands, client: await connecting };
  };
  const objectKey = (prefix: string, key: string, file: ImageFile) => {
    if (!isImageKey(key)) throw new Error("Invalid image key");
    return `${prefix}${key}/${IMAGE_FILES[file].name}`;
  };

  const read = async (name: string) => getObject((await ready()).client, Bucket, name);
  const namesUnder = async (prefix: string) =>
    (await listObjects((await ready()).client, Bucket, prefix)).map((o) => o.name);
  const remove = async (names: string[]) => deleteObjects((await ready()).client, Bucket, names);

  const keyFiles = (prefix: string, key: string) =>
    IMAGE_FILE_NAMES.map((file) => objectKey(prefix, key, file));

  async function deleteAll(key: string) {
    await remove([...keyFiles(PENDING, key), ...keyFiles(FINAL, key)]);
  }

  return {
    async put(key, file, bytes) {
      const name = objectKey(PENDING, key, file);
      const { s3, client } = await ready();
      await client.send(
        new s3.PutObjectCommand({
          Bucket,
          Key: name,
          Body: bytes,
          ContentType: IMAGE_FILES[file].contentType,
          ContentLength: bytes.byteLength,
          ServerSideEncryption: "AES256",
        }),
      );
    },
    async promote(key) {
      if (!isImageKey(key)) throw new Error("Invalid image key");
      // Copy what is pending (S3 has no rename), then remove the pending objects. A crash in
      // between leaves both copies: the final one is served, the next sweep promotes again.
      const pending = await namesUnder(`${PENDING}${key}/`);
      const { s3, client } = await ready();
      for (const from of pending) {
        await client.send(
          new s3.CopyObjectCommand({
            Bucket,
            Key: `${FINAL}${from.slice(PENDING.length)}`,
            CopySource: `${Bucket}/${from}`,
            ServerSideEncryption: "AES256",
            MetadataDirective: "COPY",
          }),
        );
      }
      if (pending.length > 0) await remove(pending);
    },
    async get(key, file) {
      // A committed analysis whose promotion has not happened yet still has its files.
      return (
        (await read(objectKey(FINAL, key, file))) ?? (await read(objectKey(PENDING, key, file)))
      );
    },
    deleteAll,
    async list() {
      const found = new Map<string, StoredKey>();
      for (const [prefix, kind] of [
        [FINAL, "complete"],
        [PENDING, "pending"],
      ] as const) {
        for (const name of await namesUnder(prefix)) {
          const [key, fileName, ...rest] = name.slice(prefix.length).split("/");
          const file = fileName === undefined ? undefined : imageFileNamed(fileName);
          if (!key || !isImageKey(key) || !file || rest.length > 0) continue;
          const entry = found.get(key) ?? { key, complete: [], pending: [], debris: [] };
          entry[kind].push(file);
          found.set(key, entry);
        }
      }
      return [...found.values()];
    },
    removeSync(key) {
      // The housekeeping job is synchronous: start the removal. An abandoned upload's objects
      // are all pending (never served); whatever this fails to remove, the start-up sweep does.
      deleteAll(key).catch((error: unknown) =>
        logError(`removing the objects of abandoned upload ${key}`, error),
      );
    },
    async removeDebris() {
      // PUT is atomic: an object store has no half-written files.
    },
  };
}
