import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import { sendResponse } from "@remix-run/node-fetch-server";
import express from "express";
import { describe, expect, it } from "vitest";
import yauzl from "yauzl";
import { attachmentResponse } from "~/http/attachment.server";
import { zipStream, type ZipEntry } from "~/http/zip-stream.server";

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

type Read = { name: string; method: number; crc32: number; bytes: Buffer };

/** The archive as yauzl (a reader independent of the writer) reads it, every entry checked. */
function readZip(bytes: Uint8Array): Promise<Read[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const out: Read[] = [];
      zip.on("error", reject);
      zip.on("end", () => resolve(out));
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(err);
          const parts: Buffer[] = [];
          stream.on("data", (part: Buffer) => parts.push(part));
          stream.on("error", reject);
          stream.on("end", () => {
            out.push({
              name: entry.fileName,
              method: entry.compressionMethod,
              crc32: entry.crc32,
              bytes: Buffer.concat(parts),
            });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** Bytes that do not compress, as an image's would not. */
const noise = (size: number, seed: number) => {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

const END_OF_CENTRAL_DIRECTORY = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

describe("zipStream", () => {
  it("writes an archive a standard reader opens: text deflated, bytes stored, CRCs right", async () => {
    const image = noise(200_000, 7);
    const text = "Your data\n".repeat(500);
    async function* entries(): AsyncGenerator<ZipEntry> {
      yield { path: "README.txt", text };
      yield { path: "images/a/original.jpg", bytes: image };
      yield { path: "empty.txt", text: "" };
    }
    const files = await readZip(await readAll(zipStream(entries())));
    expect(files.map((f) => f.name)).toEqual(["README.txt", "images/a/original.jpg", "empty.txt"]);
    const [readme, original, empty] = files as [Read, Read, Read];
    expect(readme.bytes.toString("utf8")).toBe(text);
    expect(readme.method).toBe(8); // deflate
    expect(original.method).toBe(0); // stored
    expect(new Uint8Array(original.bytes)).toEqual(image);
    expect(empty.bytes.length).toBe(0);
    for (const file of files) expect(file.crc32).toBe(zlib.crc32(file.bytes));
  });

  it("produces the next entry only when the reader has taken what came before", async () => {
    let produced = 0;
    async function* entries(): AsyncGenerator<ZipEntry> {
      for (let i = 0; i < 10; i += 1) {
        produced += 1;
        yield { path: `images/${i}.jpg`, bytes: noise(64_000, i) };
      }
    }
    const reader = zipStream(entries()).getReader();
    await reader.read();
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The first entry, and at most one more queued behind it: not the whole archive.
    expect(produced).toBeLessThanOrEqual(2);
    const parts: Uint8Array[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
    expect(produced).toBe(10);
    expect(parts.length).toBeGreaterThan(10);
  });

  it("stops producing when the reader cancels", async () => {
    let finished = false;
    async function* entries(): AsyncGenerator<ZipEntry> {
      try {
        for (let i = 0; ; i += 1) yield { path: `${i}.bin`, bytes: noise(10_000, i) };
      } finally {
        finished = true;
      }
    }
    const reader = zipStream(entries()).getReader();
    await reader.read();
    await reader.cancel();
    expect(finished).toBe(true);
  });

  it("errors the stream when an entry fails, leaving no archive that reads as complete", async () => {
    const failure = new Error("image store unavailable");
    async function* entries(): AsyncGenerator<ZipEntry> {
      yield { path: "README.txt", text: "first" };
      yield { path: "images/1.jpg", bytes: noise(50_000, 1) };
      throw failure;
    }
    const reader = zipStream(entries()).getReader();
    const parts: Uint8Array[] = [];
    const outcome = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "ended";
        parts.push(value);
      }
    })().catch((error: unknown) => error);
    expect(outcome).toBe(failure);
    const partial = Buffer.concat(parts);
    expect(partial.length).toBeGreaterThan(50_000);
    expect(partial.includes(END_OF_CENTRAL_DIRECTORY)).toBe(false);
    await expect(readZip(partial)).rejects.toThrow();
  });

  it("over HTTP, a failure mid-stream breaks the download instead of ending it cleanly", async () => {
    // As server.js sends a response: node-fetch-server's sendResponse, errors to Express.
    const app = express();
    async function* entries(): AsyncGenerator<ZipEntry> {
      yield { path: "images/1.jpg", bytes: noise(300_000, 3) };
      throw new Error("image store unavailable");
    }
    app.get("/download", (_req, res, next) => {
      const response = attachmentResponse(zipStream(entries()), {
        contentType: "application/zip",
        filename: "x.zip",
      });
      void sendResponse(res, response).catch(next);
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/download`);
      expect(response.status).toBe(200); // the headers had gone out before the failure
      expect(response.headers.get("content-disposition")).toBe('attachment; filename="x.zip"');
      await expect(response.arrayBuffer()).rejects.toThrow();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
