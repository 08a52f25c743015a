import type Database from "better-sqlite3";
import { knowsPostcodesOf, normalisePlace, type Place } from "~/geo/place-names";
import { placeTable } from "~/geo/place-table.server";
import { approximateName, parsePostalRegion, type PostalRegion } from "~/geo/postal-regions";
import type { PostcodeQuery } from "~/geo/postcodes.server";
import {
  parsePostcodeQuery,
  resolvePostcode,
  resolvePostcodes,
  searchPostcodes,
} from "~/geo/postcodes.server";

const PLACE_COLUMNS = "name, country, lat, lng, population";

/** The offline gazetteer (GeoNames cities ≥ 1,000 inhabitants); never a network call. */
export function citiesAbove(minPopulation: number): Place[] {
  return placeTable()
    .prepare(
      `SELECT ${PLACE_COLUMNS} FROM cities WHERE population >= ? ORDER BY population DESC, geonames_id`,
    )
    .all(minPopulation) as Place[];
}

type Statements = { anywhere: Database.Statement; inCountry: Database.Statement };
let statements: Statements | undefined;

/**
 * Cities whose normalised name starts with the prefix (prefix ≤ key < upper), the exact name
 * first, then largest first; ties in the package's order.
 */
function queries(): Statements {
  if (statements) return statements;
  const select = `SELECT ${PLACE_COLUMNS} FROM cities WHERE key >= @prefix AND key < @upper`;
  const order = "ORDER BY key = @prefix DESC, population DESC, key, id LIMIT @limit";
  statements = {
    anywhere: placeTable().prepare(`${select} ${order}`),
    inCountry: placeTable().prepare(`${select} AND country = @country ${order}`),
  };
  return statements;
}

/**
 * Cities whose name starts with the typed text (optionally "name, CC" to pick a
 * country), the exact name first, then largest first: a range read on an index of
 * normalised names, no scan per keystroke.
 */
function searchCities(text: string, limit: number): Place[] {
  const [namePart, countryPart] = text.split(",");
  const prefix = normalisePlace(namePart ?? "");
  const country = countryPart?.trim().toUpperCase();
  if (prefix.length < 2) return [];
  // U+10FFFF sorts after every character SQLite compares (UTF-8, byte order).
  const upper = `${prefix}\u{10FFFF}`;
  const { anywhere, inCountry } = queries();
  return (
    country
      ? inCountry.all({ prefix, upper, limit, country })
      : anywhere.all({ prefix, upper, limit })
  ) as Place[];
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

/**
 * The approximate place of a postcode of a country known by its postal regions only (decision
 * 074): the region's main city in the gazetteer, named "10115 — approximate: Berlin area". Undefined when the city is not in the gazetteer (a unit test keeps them all there).
 */
export function approximatePlace(region: PostalRegion): Place | undefined {
  const city = searchCities(`${region.city}, ${region.country}`, 1)[0];
  if (!city || normalisePlace(city.name) !== normalisePlace(region.city)) return undefined;
  return { ...city, name: approximateName(region), population: 0 };
}

/**
 * Where the finder searches for a typed place. A postcode that several countries use
 * ("75001": Paris, France and Addison, Texas) picks the searcher's country (`region`, from
 * the browser's locale) and offers the others as `alternatives`; without a region that has
 * it, nothing is picked and every country's place is offered (decision 049). A country
 * typed with the code ("75001, FR") or its town ("75001 Paris") leaves one place.
 */
export function resolvePlaceFor(
  text: string,
  region?: string,
): { place: Place | undefined; alternatives: Place[]; unknownPostcodeCountry?: string } {
  const query = parsePostcodeQuery(text);
  const matches = query ? resolvePostcodes(text) : [];
  // A code of a country known by its postal regions ("10115" from a German browser, "SW1A
  // 1AA, GB"): its region's city, approximately; other countries' places with that code stay
  // on offer unless the country was typed.
  const postal = parsePostalRegion(text, region);
  const approximate = postal && approximatePlace(postal);
  if (approximate) {
    const typedCountry = text.includes(",") || postal.country !== region;
    return {
      place: approximate,
      alternatives: typedCountry ? [] : matches.filter((p) => p.country !== postal.country),
    };
  }
  // A code of a country whose postcodes we do not know ("10115, DE", or a bare "10115" from a
  // German browser) is not placed in another country behind the searcher's back: the finder
  // says it cannot place it and asks for the town (another country's place stays on offer).
  const country =
    query && !query.rest ? (query.country ?? (query.hint ? undefined : region)) : undefined;
  if (country && !knowsPostcodesOf(country)) {
    return {
      place: undefined,
      alternatives: query?.country ? [] : matches,
      unknownPostcodeCountry: country,
    };
  }
  if (matches.length <= 1) return { place: resolvePlace(text), alternatives: [] };
  const preferred = matches.find((p) => p.country === region);
  return {
    place: preferred,
    alternatives: matches.filter((p) => p !== preferred),
  };
}
