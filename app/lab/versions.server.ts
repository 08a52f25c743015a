/** The model versions in the models folder, as the lab lists them (read-only). */
import fs from "node:fs/promises";
import path from "node:path";
import { can, type Actor } from "~/auth/permissions";
import { notFound } from "~/errors/domain-error";
import { activeVersion, modelsRoot, VERSION_NAME } from "~/classifier/node.server";
import { folderProblems } from "./promotion.server";

export type VersionSummary = {
  version: string;
  current: boolean;
  date: string | null;
  /** Accuracy on the test split, all images and the staged ones; refused share. */
  accuracy: number | null;
  stagedAccuracy: number | null;
  refusedRate: number | null;
};

type CardFigures = {
  date?: string;
  metrics?: { all?: { accuracy?: number }; staged?: { accuracy?: number; refusedRate?: number } };
};

const readJson = async <T>(file: string): Promise<T | null> =>
  JSON.parse(await fs.readFile(file, "utf8").catch(() => "null")) as T | null;

export async function listVersions(actor: Actor): Promise<VersionSummary[]> {
  if (!can(actor, { type: "lab:use" })) notFound();
  const root = modelsRoot();
  const current = await activeVersion(root).catch(() => "");
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const versions: VersionSummary[] = [];
  for (const version of names.sort().reverse()) {
    // Half-copied folders (`.incoming-…`) and files are not versions.
    if (!VERSION_NAME.test(version)) continue;
    const dir = path.join(root, version);
    if (!(await fs.stat(path.join(dir, "model.json")).catch(() => null))) continue;
    const card = await readJson<CardFigures>(path.join(dir, "model-card.json"));
    versions.push({
      version,
      current: version === current,
      date: card?.date ?? null,
      accuracy: card?.metrics?.all?.accuracy ?? null,
      stagedAccuracy: card?.metrics?.staged?.accuracy ?? null,
      refusedRate: card?.metrics?.staged?.refusedRate ?? null,
    });
  }
  return versions;
}

export type VersionDetail = VersionSummary & {
  problems: string[];
  architecture: string | null;
  trainingData: string | null;
};

/** One version of the models folder: its figures and what, if anything, keeps it from use. */
export async function getVersion(actor: Actor, version: string): Promise<VersionDetail> {
  if (!can(actor, { type: "lab:use" })) notFound();
  if (!VERSION_NAME.test(version)) notFound();
  const dir = path.join(modelsRoot(), version);
  if (!(await fs.stat(dir).catch(() => null))?.isDirectory()) notFound();
  const card = await readJson<
    CardFigures & { architecture?: string; trainingData?: { name?: string } }
  >(path.join(dir, "model-card.json"));
  return {
    version,
    current: version === (await activeVersion()),
    date: card?.date ?? null,
    accuracy: card?.metrics?.all?.accuracy ?? null,
    stagedAccuracy: card?.metrics?.staged?.accuracy ?? null,
    refusedRate: card?.metrics?.staged?.refusedRate ?? null,
    architecture: card?.architecture ?? null,
    trainingData: card?.trainingData?.name ?? null,
    problems: await folderProblems(dir, version),
  };
}
