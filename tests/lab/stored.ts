/** The lab's tests read datasets as the job does: fetched from the configured dataset store. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getDatasetStore, type DatasetStore } from "~/lab/dataset-store.server";

const copies: string[] = [];
afterAll(() => {
  for (const dir of copies) fs.rmSync(dir, { recursive: true, force: true });
});

/** A working copy of a stored dataset, in a temporary folder removed after the file. */
export async function fetchStored(id: string, store: DatasetStore = getDatasetStore()) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-stored-"));
  copies.push(dir);
  await store.fetchFolder(id, dir);
  return dir;
}

/** The ids of every dataset with files in the store. */
export const storedIds = async (store: DatasetStore = getDatasetStore()) =>
  (await store.list()).map((entry) => entry.id).sort();

/** Store `files` (name → bytes or text) as dataset `id`, as an upload would. */
export async function storeFiles(
  id: string,
  files: Record<string, Uint8Array | string>,
  store: DatasetStore = getDatasetStore(),
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-put-"));
  try {
    for (const [name, bytes] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), bytes);
    }
    await store.putFolder(id, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
