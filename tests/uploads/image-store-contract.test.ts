import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import type { S3Client } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, uploads } from "#db/schema";
import { createAnalysis } from "~/analyses/create.server";
import { recoverUploads, sweepAbandonedUploads } from "~/uploads/recovery.server";
import { s3Store } from "~/uploads/s3-store.server";
import {
  fileSystemStore,
  IMAGE_FILE_NAMES,
  newImageKey,
  type ImageStore,
} from "~/uploads/storage.server";
import { fixedClassifier } from "../analyses/fixtures";
import { makeUser } from "../helpers";
import { freshS3Bucket } from "../setup/test-servers";
import { smearLikeImage } from "./images";
import { inTransaction } from "~/data/unit-of-work.server";

type Subject = { store: ImageStore; client?: S3Client };

/** The same contract, on the file system and on a real S3 server (s3rver over HTTP). */
const stores: [string, () => Promise<Subject>][] = [
  [
    "file system",
    async () => ({
      store: fileSystemStore(fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-store-"))),
    }),
  ],
  [
    "S3",
    async () => {
      const { settings, client } = await freshS3Bucket();
      return { store: s3Store(settings, client), client };
    },
  ],
];

const bytesOf = (text: string) => new Uint8Array(Buffer.from(text));

/** The pid of a process that has exited: what a kill -9 leaves in the journal. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], {
    encoding: "utf8",
  });
  return Number(child.stdout.trim());
}

async function eventually(check: () => Promise<boolean>) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("condition not reached in 2 s");
}

describe.each(stores)("the %s image store", (_name, make) => {
  let store: ImageStore;
  beforeEach(async () => {
    ({ store } = await make());
    // The sweep reads every analysis and journal row: none left by the other store's run.
    await inTransaction(({ tx }) => tx.delete(uploads));
    await inTransaction(({ tx }) => tx.delete(analyses));
  });

  test("gives back exactly the bytes put, and null for a file never written", async () => {
    const key = newImageKey();
    await store.put(key, "original", bytesOf("original bytes"));
    await store.put(key, "heatmap", bytesOf("heat-map bytes"));
    expect((await store.get(key, "original"))?.toString()).toBe("original bytes");
    expect((await store.get(key, "heatmap"))?.toString()).toBe("heat-map bytes");
    expect(await store.get(key, "thumbnail")).toBeNull();
    expect(await store.get(newImageKey(), "original")).toBeNull();
  });

  test("serves an upload's files before and after their promotion; promoting twice is harmless", async () => {
    const key = newImageKey();
    for (const file of IMAGE_FILE_NAMES) await store.put(key, file, bytesOf(`${file} bytes`));
    const [before] = await store.list();
    expect([...new Set([...before!.complete, ...before!.pending])].sort()).toEqual(
      [...IMAGE_FILE_NAMES].sort(),
    );
    expect((await store.get(key, "thumbnail"))?.toString()).toBe("thumbnail bytes");
    await store.promote(key);
    await store.promote(key);
    expect(await store.list()).toEqual([
      { key, complete: expect.arrayContaining(IMAGE_FILE_NAMES), pending: [], debris: [] },
    ]);
    for (const file of IMAGE_FILE_NAMES) {
      expect((await store.get(key, file))?.toString()).toBe(`${file} bytes`);
    }
  });

  test("deletes every file of a key, promoted or not, and nothing of another key", async () => {
    const [gone, kept, half] = [newImageKey(), newImageKey(), newImageKey()];
    for (const key of [gone, kept, half]) await store.put(key, "original", bytesOf(key));
    await store.promote(gone);
    await store.promote(kept);
    await store.deleteAll(gone);
    await store.deleteAll(half);
    await store.deleteAll(newImageKey()); // an unknown key is no error
    expect(await store.get(gone, "original")).toBeNull();
    expect(await store.get(half, "original")).toBeNull();
    expect((await store.get(kept, "original"))?.toString()).toBe(kept);
    expect((await store.list()).map((entry) => entry.key)).toEqual([kept]);
  });

  test("removes an abandoned upload's files from the synchronous housekeeping", async () => {
    const key = newImageKey();
    await store.put(key, "original", bytesOf("abandoned"));
    store.removeSync(key);
    await eventually(async () => (await store.list()).length === 0);
    expect(await store.get(key, "original")).toBeNull();
  });

  test("refuses a key that could name another place", async () => {
    for (const key of ["../../etc/passwd", "a/b", "short", `${"x".repeat(23)}/`]) {
      await expect(store.put(key, "original", bytesOf("x"))).rejects.toThrow("Invalid image key");
      await expect(store.get(key, "original")).rejects.toThrow("Invalid image key");
    }
  });

  describe("with the uploads journal (docs/decisions/034)", () => {
    test("an upload stores its three files, promoted, under its analysis's key", async () => {
      const patient = await makeUser("patient");
      const analysis = await createAnalysis(
        patient,
        { bytes: await smearLikeImage() },
        fixedClassifier,
        store,
      );
      expect(await store.list()).toEqual([
        {
          key: analysis.imageKey,
          complete: expect.arrayContaining(IMAGE_FILE_NAMES),
          pending: [],
          debris: [],
        },
      ]);
    });

    test("an upload whose commit fails leaves no file and no journal row", async () => {
      const patient = await makeUser("patient");
      const failing = Object.create(store) as ImageStore;
      // The commit fails after every file was written: the heat-map is the last put.
      failing.put = async (key, file, bytes) => {
        await store.put(key, file, bytes);
        if (file === "heatmap") {
          await inTransaction(({ tx }) => tx.delete(uploads).where(eq(uploads.userId, patient.id)));
        }
      };
      await expect(
        createAnalysis(patient, { bytes: await smearLikeImage() }, fixedClassifier, failing),
      ).rejects.toThrow("swept");
      expect(await store.list()).toEqual([]);
      expect(await getDb().select().from(uploads).where(eq(uploads.userId, patient.id))).toEqual(
        [],
      );
    });

    test("after a crash the sweep removes files of uploads that never committed, and promotes those that did", async () => {
      const patient = await makeUser("patient");
      // Crashed before the commit: a pending row of a dead process, one file written.
      const crashed = newImageKey();
      await inTransaction(({ tx }) =>
        tx.insert(uploads).values({
          userId: patient.id,
          imageKey: crashed,
          requestSha256: "0".repeat(64),
          owner: `${os.hostname()}:${deadPid()}`,
        }),
      );
      await store.put(crashed, "original", bytesOf("never committed"));
      // Crashed after the commit, before the promotion: the analysis and its pending files.
      const committed = await createAnalysis(
        patient,
        { bytes: await smearLikeImage() },
        fixedClassifier,
        { ...store, promote: async () => {} },
      );
      // An upload still running (its process is alive): left alone.
      const running = newImageKey();
      await inTransaction(({ tx }) =>
        tx.insert(uploads).values({
          userId: patient.id,
          imageKey: running,
          requestSha256: "1".repeat(64),
          owner: `${os.hostname()}:${process.pid}`,
        }),
      );
      await store.put(running, "original", bytesOf("still being written"));

      const report = await recoverUploads(store, new Date());
      await eventually(async () => (await store.get(crashed, "original")) === null);

      expect(report).toMatchObject({ abandoned: 1, missingFiles: [] });
      const listed = new Map((await store.list()).map((entry) => [entry.key, entry]));
      expect([...listed.keys()].sort()).toEqual([committed.imageKey, running].sort());
      expect(listed.get(committed.imageKey)).toMatchObject({ pending: [] });
      expect(listed.get(committed.imageKey)!.complete.sort()).toEqual([...IMAGE_FILE_NAMES].sort());
      expect(
        (await getDb().select().from(analyses).where(eq(analyses.id, committed.id)).limit(1))[0],
      ).toBeTruthy();
      expect((await sweepAbandonedUploads(new Date(), store)).abandoned).toBe(0);
    });
  });
});

describe("the S3 image store's objects", () => {
  test("are written with server-side encryption and no ACL (private, like the bucket)", async () => {
    const { settings, client } = await freshS3Bucket();
    const sent: { method: string; path: string; headers: Record<string, string> }[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as {
          method: string;
          path: string;
          headers: Record<string, string>;
        };
        sent.push({ method: request.method, path: request.path, headers: { ...request.headers } });
        return next(args);
      },
      { step: "finalizeRequest", name: "recordRequests" },
    );
    const store = s3Store(settings, client);
    const key = newImageKey();
    await store.put(key, "original", bytesOf("secret smear"));
    await store.promote(key);
    const writes = sent.filter((r) => r.method === "PUT");
    // One PUT of the upload, one copy into images/ (a PUT with a copy source).
    expect(writes.map((r) => r.path.replace(`/${settings.bucket}/`, ""))).toEqual([
      `pending/${key}/original.jpg`,
      `images/${key}/original.jpg`,
    ]);
    for (const write of writes) {
      expect(write.headers["x-amz-server-side-encryption"]).toBe("AES256");
      expect(write.headers["x-amz-acl"]).toBeUndefined();
    }
  });
});
