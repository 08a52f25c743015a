/**
 * Classify image files with the shipped model, one JSON object per image per line:
 *   npm run --silent classify -- <file or directory>... [--model <model folder>]
 * Directories are walked recursively. An unreadable file gives a line with "error" and
 * the run goes on; the exit status is 1 only when no file could be read.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { classifyBytes, currentModelDir, loadClassifier } from "~/classifier/node.server";

const IMAGE = /\.(jpe?g|png|webp|tiff?)$/i;

async function* walk(target: string): AsyncGenerator<string> {
  const stat = await fs.stat(target).catch(() => undefined);
  if (stat?.isDirectory()) {
    const entries = await fs.readdir(target, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const child = path.join(target, entry.name);
      if (entry.isDirectory()) yield* walk(child);
      else if (IMAGE.test(entry.name)) yield child;
    }
  } else {
    yield target;
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: "string" } },
});
if (positionals.length === 0) {
  console.error("usage: npm run --silent classify -- <file or directory>...");
  process.exit(2);
}
const classifier = await loadClassifier(values.model ?? (await currentModelDir()));
let read = 0;
for (const target of positionals) {
  for await (const file of walk(target)) {
    const started = performance.now();
    try {
      const result = await classifyBytes(await fs.readFile(file), classifier);
      const { verdict, reasons, top, probabilities, confidence } = result.classification;
      const ms = Math.round((performance.now() - started) * 10) / 10;
      read++;
      console.log(JSON.stringify({ file, verdict, reasons, top, probabilities, confidence, ms }));
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
      console.log(JSON.stringify({ file, error: `Could not read this image: ${message}` }));
    }
  }
}
process.exitCode = read === 0 ? 1 : 0;
