/** The model versions (the build's, and the lab's in the store), as the lab lists them. */
import fs from "node:fs/promises";
import { can, type Actor } from "~/auth/permissions";
import { notFound } from "~/errors/domain-error";
import { modelsRoot, type ModelSource } from "~/classifier/files.server";
import { activeVersion, versionSource } from "~/classifier/node.server";
import { getModelStore } from "./model-store.server";
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

const readCard = async <T>(source: ModelSource): Promise<T | null> =>
  JSON.parse(
    (await source.read("model-card.json").catch(() => null))?.toString("utf8") ?? "null",
  ) as T | null;

export async function listVersions(actor: Actor): Promise<VersionSummary[]> {
  if (!can(actor, { type: "lab:use" })) notFound();
  const current = await activeVersion().catch(() => "");
  const names = new Set([
    ...(await fs.readdir(modelsRoot()).catch(() => [] as string[])),
    ...(await getModelStore().versions()),
  ]);
  const versions: VersionSummary[] = [];
  for (const version of [...names].sort().reverse()) {
    // Half-copied folders (`.<version>.<random>`) and files are not versions.
    const source = await versionSource(version);
    if (!source || !(await source.read("model.json").catch(() => null))) continue;
    const card = await readCard<CardFigures>(source);
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

/** One version: its figures and what, if anything, keeps it from use. */
export async function getVersion(actor: Actor, version: string): Promise<VersionDetail> {
  if (!can(actor, { type: "lab:use" })) notFound();
  const source = await versionSource(version);
  if (!source) notFound();
  const card = await readCard<
    CardFigures & { architecture?: string; trainingData?: { name?: string } }
  >(source);
  return {
    version,
    current: version === (await activeVersion()),
    date: card?.date ?? null,
    accuracy: card?.metrics?.all?.accuracy ?? null,
    stagedAccuracy: card?.metrics?.staged?.accuracy ?? null,
    refusedRate: card?.metrics?.staged?.refusedRate ?? null,
    architecture: card?.architecture ?? null,
    trainingData: card?.trainingData?.name ?? null,
    problems: await folderProblems(source, version),
  };
}
