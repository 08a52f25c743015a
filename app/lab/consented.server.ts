/**
 * A lab dataset from patients' own analyses: the research export (app/research, decision 062)
 * chooses them — the patient consented to research use and has not withdrawn it, and the label
 * is a hematologist's final answer among the four staging classes — and de-identifies them
 * (random file names and order, a manifest without names, ids or dates finer than a month). The
 * export's zip is written to the lab's incoming folder and staged exactly as an uploaded archive
 * is (the same checks, the same report), then removed whatever happens. A consent withdrawn
 * later keeps the image out of every later build; a dataset already built keeps what it held.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { LabDataset } from "#db/schema";
import { can, type Actor } from "~/auth/permissions";
import { invalid, notFound } from "~/errors/domain-error";
import { exportResearchDataset } from "~/research/export.server";
import { stageDataset } from "./datasets.server";
import { CLASS_FOLDERS } from "./vocabulary";
import { incomingRoot } from "./upload.server";

export async function buildConsentedDataset(actor: Actor, name: string): Promise<LabDataset> {
  if (!can(actor, { type: "lab:use" })) notFound();
  const { stream, summary } = await exportResearchDataset(actor);
  if (CLASS_FOLDERS.every((f) => summary.included[f] === 0)) {
    await stream.cancel();
    throw invalid(
      "No patient's analysis can join a dataset yet: none has both the patient's consent to research use and a hematologist's final staging.",
      undefined,
      422,
    );
  }
  const folder = path.join(incomingRoot(), crypto.randomUUID());
  const archive = path.join(folder, "consented.zip");
  try {
    await fsp.mkdir(folder, { recursive: true });
    await pipeline(
      Readable.fromWeb(stream as unknown as WebReadableStream<Uint8Array>),
      fs.createWriteStream(archive),
    );
    return await stageDataset(actor, { archive, name });
  } finally {
    await fsp.rm(folder, { recursive: true, force: true });
  }
}
