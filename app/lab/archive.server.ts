/**
 * Reading a dataset archive safely: the zip's central directory is checked before a byte is
 * unpacked (entry count, declared sizes and ratios, names that leave the folder, archives inside
 * the archive, encryption), then the chosen entries are streamed to disk one by one, counting
 * what really comes out (a lying directory is caught by yauzl's size check and by the counts).
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import yauzl from "yauzl";
import { invalid, type DomainError } from "~/errors/domain-error";
import { MB, type ArchiveLimits } from "./limits";
import { CLASS_FOLDERS, folderOfLabel, isClassFolder, type ClassFolder } from "./vocabulary";

export type ArchiveEntry = {
  /** The entry's path inside the archive, as written there. */
  name: string;
  size: number;
  packed: number;
  entry: yauzl.Entry;
};

export type Archive = { zip: yauzl.ZipFile; entries: ArchiveEntry[] };

const refuse = (message: string): DomainError => invalid(message, "dataset", 422);

const NESTED_EXTENSIONS = /\.(zip|jar|7z|rar|tar|tgz|gz|bz2|xz|zst|lz|lzma|cab|iso|dmg)$/i;

/** Magic numbers of archives and compressed streams, checked on each entry's first bytes. */
export function looksLikeArchive(head: Uint8Array): boolean {
  const starts = (...sig: number[]) => sig.every((b, i) => head[i] === b);
  return (
    starts(0x50, 0x4b, 0x03, 0x04) || // zip
    starts(0x50, 0x4b, 0x05, 0x06) || // empty zip
    starts(0x1f, 0x8b) || // gzip
    starts(0x42, 0x5a, 0x68) || // bzip2
    starts(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c) || // 7z
    starts(0x52, 0x61, 0x72, 0x21) || // rar
    starts(0xfd, 0x37, 0x7a, 0x58, 0x5a) || // xz
    starts(0x28, 0xb5, 0x2f, 0xfd) || // zstd
    (head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === "ustar") // tar
  );
}

/** A name that would be written outside the dataset's folder, or cannot be a relative path. */
export function escapesFolder(name: string): boolean {
  return (
    name.includes("\0") ||
    name.includes("\\") ||
    name.startsWith("/") ||
    /^[A-Za-z]:/.test(name) ||
    name.split("/").some((part) => part === "..")
  );
}

const show = (name: string) => (name.length > 80 ? `${name.slice(0, 77)}…` : name);

function decodeName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  // Bit 11: UTF-8 names; older tools write CP437, whose ASCII half is all a dataset needs.
  return (entry.generalPurposeBitFlag & 0x800 ? raw.toString("utf8") : raw.toString("latin1"))
    .normalize("NFC")
    .trim();
}

/**
 * Open a zip and check its directory. Refusals are domain errors on the `dataset` field; the
 * caller closes the archive (`zip.close()`) and removes the upload.
 */
export async function openArchive(file: string, limits: ArchiveLimits): Promise<Archive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true },
      (error, opened) => (error || !opened ? reject(error) : resolve(opened)),
    ),
  ).catch(() => {
    throw refuse("This file is not a zip archive (or it is damaged). Upload a .zip file.");
  });
  try {
    const entries = await readDirectory(zip, limits);
    return { zip, entries };
  } catch (error) {
    zip.close();
    throw error;
  }
}

function readDirectory(zip: yauzl.ZipFile, limits: ArchiveLimits): Promise<ArchiveEntry[]> {
  if (zip.entryCount > limits.maxEntries) {
    return Promise.reject(
      refuse(
        `The archive holds ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted.`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const entries: ArchiveEntry[] = [];
    let total = 0;
    const fail = (error: unknown) => reject(error);
    zip.on("error", () => fail(refuse("The archive is damaged and cannot be read.")));
    zip.on("end", () => resolve(entries));
    zip.on("entry", (entry: yauzl.Entry) => {
      const name = decodeName(entry);
      if (escapesFolder(name)) {
        return fail(
          refuse(
            `The archive has an entry whose path leaves its folder (“${show(name)}”); archives with such paths are refused.`,
          ),
        );
      }
      if (!name.endsWith("/")) {
        if (entry.isEncrypted()) {
          return fail(
            refuse(`“${show(name)}” is encrypted; upload an archive without a password.`),
          );
        }
        if (NESTED_EXTENSIONS.test(name)) {
          return fail(
            refuse(
              `The archive contains another archive (“${show(name)}”); unpack it and upload one zip of images.`,
            ),
          );
        }
        const size = entry.uncompressedSize;
        const packed = entry.compressedSize;
        if (size > limits.ratioFloorBytes && size > limits.maxRatio * Math.max(packed, 1)) {
          return fail(
            refuse(
              `“${show(name)}” unpacks to ${Math.round(size / Math.max(packed, 1))} times its packed size (a zip bomb?); at most ${limits.maxRatio} times is accepted.`,
            ),
          );
        }
        total += size;
        if (total > limits.maxUnpackedBytes) {
          return fail(
            refuse(
              `The archive unpacks to more than ${Math.round(limits.maxUnpackedBytes / MB)} MB; split the dataset or ask an administrator to raise LAB_MAX_UNZIPPED_MB.`,
            ),
          );
        }
        entries.push({ name, size, packed, entry });
      }
      zip.readEntry();
    });
    zip.readEntry();
  });
}

export type PlannedFile = {
  source: ArchiveEntry;
  folder: ClassFolder;
  name: string;
  /** The manifest's patient id, when it has a `patient` column (the split keeps patients whole). */
  patient?: string;
};

export type Plan = {
  files: PlannedFile[];
  /** Entries left out: operating-system debris and notes beside the class folders. */
  ignored: string[];
  /** Files the plan drops with a reason (a name that is not a plain file name). */
  badNames: string[];
  layout: "folders" | "manifest";
};

const JUNK = /(^|\/)(__MACOSX|\.DS_Store|Thumbs\.db|desktop\.ini|\._[^/]*)(\/|$)/;
const NOTES = /^(readme|license|licence|citation)(\.\w+)?$/i;
const SAFE_NAME = /^[\w][\w .-]{0,150}$/;

/** A single folder wrapping the class folders or the manifest (`mydata/Benign/…`) is looked through. */
function commonRoot(names: string[]): string {
  const firsts = new Set(names.map((n) => (n.includes("/") ? n.split("/")[0] : "")));
  if (firsts.size !== 1) return "";
  const [only] = [...firsts];
  if (!only || isClassFolder(only)) return "";
  const inside = names.map((n) => n.slice(only.length + 1).split("/"));
  const wraps = inside.some(
    (parts) => (parts.length > 1 && isClassFolder(parts[0]!)) || parts[0] === "manifest.csv",
  );
  return wraps ? `${only}/` : "";
}

/**
 * Where each entry goes: `<Class>/<file>` for a folder layout, or the rows of a root
 * `manifest.csv` (`file` and `class` columns; the class as a folder name or a class id).
 * Anything else is a wrong layout, refused with what was expected and what was found.
 */
export async function planLayout(archive: Archive): Promise<Plan> {
  const useful = archive.entries.filter((e) => !JUNK.test(e.name));
  const root = commonRoot(useful.map((e) => e.name));
  const relative = useful.map((e) => ({ entry: e, path: e.name.slice(root.length) }));
  const manifest = relative.find((r) => r.path.toLowerCase() === "manifest.csv");
  const ignored = archive.entries.filter((e) => JUNK.test(e.name)).map((e) => e.name);
  const files: PlannedFile[] = [];
  const badNames: string[] = [];
  const seen = new Set<string>();
  const add = (source: ArchiveEntry, folder: ClassFolder, name: string, patient?: string) => {
    if (!SAFE_NAME.test(name)) return void badNames.push(source.name);
    const key = `${folder}/${name}`.toLowerCase();
    if (seen.has(key)) {
      throw refuse(`Two files would be stored as “${show(`${folder}/${name}`)}”; rename one.`);
    }
    seen.add(key);
    files.push({ source, folder, name, ...(patient ? { patient } : {}) });
  };

  if (manifest) {
    const text = await readSmallEntry(archive, manifest.entry, MB * 10);
    const rows = parseManifest(text);
    const byPath = new Map(relative.map((r) => [r.path, r.entry]));
    for (const row of rows) {
      const source = byPath.get(row.file);
      if (!source)
        throw refuse(`manifest.csv names “${show(row.file)}”, which is not in the archive.`);
      add(source, row.folder, path.posix.basename(row.file), row.patient);
    }
    const listed = new Set(rows.map((r) => r.file));
    for (const r of relative) if (r !== manifest && !listed.has(r.path)) ignored.push(r.entry.name);
    return { files, ignored, badNames, layout: "manifest" };
  }

  const unexpected = new Set<string>();
  for (const { entry, path: rel } of relative) {
    const parts = rel.split("/");
    if (parts.length === 1 && NOTES.test(parts[0]!)) {
      ignored.push(entry.name);
      continue;
    }
    if (parts.length === 2 && isClassFolder(parts[0]!)) {
      add(entry, parts[0], parts[1]!);
      continue;
    }
    unexpected.add(parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join("/")}/`);
  }
  if (unexpected.size > 0 || files.length + badNames.length === 0) {
    const found = [...unexpected].slice(0, 5).map(show).join(", ");
    throw refuse(
      `Wrong folder layout: expected the class folders ${CLASS_FOLDERS.map((f) => `${f}/`).join(", ")} with the images directly inside (or a manifest.csv)${found ? `; found ${found}` : "; found no images"}.`,
    );
  }
  return { files, ignored, badNames, layout: "folders" };
}

type ManifestRow = { file: string; folder: ClassFolder; patient?: string };

/** A patient id as the stored manifest keeps it (no separators of the CSV). */
const PATIENT_ID = /^[\w.-]{1,64}$/;

export function parseManifest(text: string): ManifestRow[] {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split(/\r?\n/)
    .filter((l) => l.trim());
  const header = (lines.shift() ?? "").split(",").map((c) => c.trim().toLowerCase());
  const fileCol = header.indexOf("file");
  const classCol = header.includes("class") ? header.indexOf("class") : header.indexOf("label");
  const patientCol = header.includes("patient")
    ? header.indexOf("patient")
    : header.indexOf("patient_id");
  if (fileCol < 0 || classCol < 0) {
    throw refuse("manifest.csv needs a header with the columns “file” and “class”.");
  }
  return lines.map((line, i) => {
    const cells = line.split(",");
    const file = (cells[fileCol] ?? "").trim();
    const folder = folderOfLabel(cells[classCol] ?? "");
    if (!file || escapesFolder(file)) {
      throw refuse(
        `manifest.csv line ${i + 2}: the file “${show(file)}” is not a path inside the archive.`,
      );
    }
    if (!folder) {
      throw refuse(
        `manifest.csv line ${i + 2}: the class “${show((cells[classCol] ?? "").trim())}” is not one of ${CLASS_FOLDERS.join(", ")}.`,
      );
    }
    const patient = patientCol < 0 ? "" : (cells[patientCol] ?? "").trim();
    if (patient && !PATIENT_ID.test(patient)) {
      throw refuse(
        `manifest.csv line ${i + 2}: the patient id “${show(patient)}” may hold only letters, digits, . _ - (at most 64).`,
      );
    }
    return { file, folder, ...(patient ? { patient } : {}) };
  });
}

function openStream(archive: Archive, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    archive.zip.openReadStream(entry, (error, stream) =>
      error || !stream
        ? reject(refuse("The archive is damaged and cannot be read."))
        : resolve(stream),
    ),
  );
}

async function readSmallEntry(archive: Archive, source: ArchiveEntry, max: number) {
  if (source.size > max) throw refuse("manifest.csv is larger than 10 MB.");
  const chunks: Buffer[] = [];
  for await (const chunk of await openStream(archive, source.entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Stream the planned files into `dir/<Class>/<name>`, one at a time, refusing a nested archive
 * by its first bytes and counting every unpacked byte against the limits.
 */
export async function extractPlan(
  archive: Archive,
  plan: Plan,
  dir: string,
  limits: ArchiveLimits,
): Promise<void> {
  let total = 0;
  for (const folder of new Set(plan.files.map((f) => f.folder))) {
    await fsp.mkdir(path.join(dir, folder), { recursive: true });
  }
  for (const file of plan.files) {
    if (file.source.size > limits.maxEntryBytes) {
      throw refuse(
        `“${show(file.source.name)}” is larger than ${Math.round(limits.maxEntryBytes / MB)} MB; no smear image needs that.`,
      );
    }
    let seen = 0;
    let head: Buffer | null = null;
    const check = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (!head) {
          head = chunk.subarray(0, 262);
          if (looksLikeArchive(head)) {
            return done(
              refuse(
                `The archive contains another archive (“${show(file.source.name)}”); unpack it and upload one zip of images.`,
              ),
            );
          }
        }
        seen += chunk.length;
        total += chunk.length;
        if (seen > limits.maxEntryBytes || total > limits.maxUnpackedBytes) {
          return done(refuse("The archive unpacks to more than it declares; it is refused."));
        }
        done(null, chunk);
      },
    });
    const stream = await openStream(archive, file.source.entry);
    await pipeline(
      stream,
      check,
      fs.createWriteStream(path.join(dir, file.folder, file.name)),
    ).catch((error: unknown) => {
      if (error && typeof error === "object" && "kind" in error) throw error;
      throw refuse(`“${show(file.source.name)}” cannot be unpacked: the archive is damaged.`);
    });
  }
}
