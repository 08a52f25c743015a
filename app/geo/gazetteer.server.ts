import { cities, type Cities } from "~/geo/cities.server";
import type { PostcodeQuery } from "~/geo/postcodes.server";
import { parsePostcodeQuery, resolvePostcode, searchPostcodes } from "~/geo/postcodes.server";

export type Place = { name: string; country: string; lat: number; lng: number; population: number };

const toPlace = (table: Cities, i: number): Place => ({
  name: table.name[i]!,
  country: table.country[i]!,
  lat: table.lat[i]!,
  lng: table.lng[i]!,
  population: table.population[i]!,
});

/** The offline gazetteer (GeoNames cities ≥ 1,000 inhabitants); never a network call. */
export function citiesAbove(minPopulation: number): Place[] {
  const table = cities();
  const chosen: number[] = [];
  for (let i = 0; i < table.size; i++) if (table.population[i]! >= minPopulation) chosen.push(i);
  return chosen
    .sort((a, b) => table.population[b]! - table.population[a]! || table.id[a]! - table.id[b]!)
    .map((i) => toPlace(table, i));
}

/** Lower case, no accents, single spaces: "São Paulo" and "sao paulo" compare equal. */
export const normalisePlace = (text: string) =>
  text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

/** Normalised names in sorted order, and the city each one is (`city[i]` for `key[i]`). */
type NameIndex = { key: string[]; city: Uint32Array };
let index: NameIndex | undefined;

/** Every city once, sorted by normalised name then population (largest first). */
function nameIndex(): NameIndex {
  if (index) return index;
  const table = cities();
  const keys = table.name.map(normalisePlace);
  const order: number[] = [];
  for (let i = 0; i < table.size; i++) if (keys[i]!.length > 0) order.push(i);
  order.sort((a, b) =>
    keys[a]! < keys[b]!
      ? -1
      : keys[a]! > keys[b]!
        ? 1
        : table.population[b]! - table.population[a]!,
  );
  index = { key: order.map((i) => keys[i]!), city: Uint32Array.from(order) };
  return index;
}

/**
 * Cities whose name starts with the typed text (optionally "name, CC" to pick a
 * country), largest first. Binary search on the sorted index: no scan per keystroke.
 */
function searchCities(text: string, limit: number): Place[] {
  const [namePart, countryPart] = text.split(",");
  const prefix = normalisePlace(namePart ?? "");
  const country = countryPart?.trim().toUpperCase();
  if (prefix.length < 2) return [];
  const table = cities();
  const { key, city } = nameIndex();
  let lo = 0;
  let hi = key.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  const matches: Place[] = [];
  for (let i = lo; i < key.length && key[i]!.startsWith(prefix); i++) {
    const c = city[i]!;
    if (!country || table.country[c] === country) matches.push(toPlace(table, c));
  }
  const exact = (p: Place) => (normalisePlace(p.name) === prefix ? 1 : 0);
  return matches.sort((a, b) => exact(b) - exact(a) || b.population - a.population).slice(0, limit);
}

/** The town typed beside a postcode ("75011 Paris", "Paris 75011, FR") as a city query. */
const townQuery = ({ rest, country }: PostcodeQuery) => (country ? `${rest}, ${country}` : rest);

/**
 * Autocomplete. A typed city works as always; a postcode ("10001", "M5V 3L9", "110001,
 * IN") lists matching postcodes first (app/geo/postcodes.server.ts), then cities named
 * by the whole text ("100 Mile House"), then by the words beside the code ("75001 Paris").
 */
export function searchPlaces(text: string, limit = 8): Place[] {
  const postcode = parsePostcodeQuery(text);
  if (!postcode) return searchCities(text, limit);
  const places = [...searchPostcodes(text, limit), ...searchCities(text, limit)];
  if (postcode.rest) places.push(...searchCities(townQuery(postcode), limit));
  const seen = new Set<string>();
  return places
    .filter((p) => {
      const key = `${p.name}|${p.country}|${p.lat}|${p.lng}`;
      return !seen.has(key) && seen.add(key);
    })
    .slice(0, limit);
}

/**
 * The most likely place for a typed city ("Lyon", "Lyon, FR") or postcode ("10001",
 * "M5V 3L9", "10001 New York, US"), or undefined. A town typed beside a code that is not
 * that code's town ("75001 Paris": 75001 is a Texan ZIP) is resolved as that town instead.
 */
export function resolvePlace(text: string): Place | undefined {
  const postcode = parsePostcodeQuery(text);
  if (!postcode) return searchCities(text, 1)[0];
  return (
    resolvePostcode(text) ??
    searchCities(text, 1)[0] ??
    (postcode.rest ? searchCities(townQuery(postcode), 1)[0] : undefined)
  );
}
