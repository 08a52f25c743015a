import { MAX_BODY_BYTES, parseUpload } from "~/uploads/multipart.server";
import { ImageRejected } from "~/uploads/image.server";

async function multipart(file: Uint8Array<ArrayBuffer>) {
  const form = new FormData();
  form.set("smear", new Blob([file], { type: "image/jpeg" }), "smear.jpg");
  form.set("note", "left arm");
  const request = new Request("http://localhost/", { method: "POST", body: form });
  return {
    body: new Uint8Array(await request.arrayBuffer()),
    contentType: request.headers.get("content-type")!,
  };
}

/** A chunked body (no Content-Length) that records how much of it was ever pulled. */
function streamed(body: Uint8Array, contentType: string, chunk = 64 * 1024) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= body.length) return controller.close();
      controller.enqueue(body.subarray(pulled, pulled + chunk));
      pulled += chunk;
    },
  });
  const request = new Request("http://localhost/", {
    method: "POST",
    body: stream,
    headers: { "content-type": contentType },
    duplex: "half",
  } as RequestInit);
  return { request, pulled: () => pulled };
}

async function rejection(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageRejected);
  return error as ImageRejected;
}

describe("parseUpload", () => {
  test("reads the file and the fields of a streamed multipart body", async () => {
    const file = new Uint8Array(300_000).map((_, i) => (i * 7919) % 256);
    const { body, contentType } = await multipart(file);
    const form = await parseUpload(streamed(body, contentType).request);
    const smear = form.get("smear") as File;
    expect(new Uint8Array(await smear.arrayBuffer())).toEqual(file);
    expect(form.get("note")).toBe("left arm");
  });

  test("a chunked body over the cap is refused while it streams, with a 413", async () => {
    const { body, contentType } = await multipart(new Uint8Array(20 * 1024 * 1024));
    const upload = streamed(body, contentType);
    const error = await rejection(parseUpload(upload.request));
    expect(error.status).toBe(413);
    expect(error.message).toMatch(/larger than 15 MB/);
    // Stopped near the cap: the last 4 MB were never read.
    expect(upload.pulled()).toBeLessThan(MAX_BODY_BYTES + 1024 * 1024);
  });

  test("a declared length over the cap is refused before reading", async () => {
    const request = new Request("http://localhost/", {
      method: "POST",
      body: "x",
      headers: {
        "content-type": "multipart/form-data; boundary=x",
        "content-length": String(MAX_BODY_BYTES + 1),
      },
    });
    expect((await rejection(parseUpload(request))).status).toBe(413);
  });

  test("a malformed body or another content type is a 400", async () => {
    const malformed = new Request("http://localhost/", {
      method: "POST",
      body: "--nope\r\nnot a part",
      headers: { "content-type": "multipart/form-data; boundary=other" },
    });
    expect((await rejection(parseUpload(malformed))).status).toBe(400);
    const json = new Request("http://localhost/", {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect((await rejection(parseUpload(json))).message).toBe("Choose an image file to upload.");
  });
});
