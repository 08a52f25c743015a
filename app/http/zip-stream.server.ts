/**
 * A zip archive written as a stream, one entry per pull: the archive follows the reader's pace,
 * so an export holds one image in memory at a time however large it is. Text entries are
 * deflated; byte entries (JPEG, PNG: compressed already) are stored as they are.
 *
 * An error while the entries are produced (an image store that fails, a bug) errors the stream:
 * the response then ends without the zip's central directory and without HTTP's last chunk, so
 * the client sees a failed download, never a complete-looking, truncated archive.
 */
import { Zip, ZipDeflate, ZipPassThrough } from "fflate";

export type ZipEntry = { path: string; text: string } | { path: string; bytes: Uint8Array };

/** The entries, produced lazily (an async generator), as a zip byte stream. */
export function zipStream(entries: AsyncIterable<ZipEntry>): ReadableStream<Uint8Array> {
  const iterator = entries[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  let zip!: Zip;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      zip = new Zip((error, chunk, final) => {
        if (error) return controller.error(error);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
    },
    // One entry per pull; a rejected pull errors the stream.
    async pull() {
      const next = await iterator.next();
      if (next.done) return zip.end();
      const entry = next.value;
      if ("text" in entry) {
        const file = new ZipDeflate(entry.path, { level: 6 });
        zip.add(file);
        file.push(encoder.encode(entry.text), true);
      } else {
        const file = new ZipPassThrough(entry.path);
        zip.add(file);
        file.push(entry.bytes, true);
      }
    },
    // The client went away: stop producing (the generator's `finally` runs).
    async cancel() {
      zip.terminate();
      await iterator.return?.();
    },
  });
}
