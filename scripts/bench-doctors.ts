// npx tsx scripts/bench-doctors.ts [--doctors 1000000] [--queries 2000] [--scans 20]
//   [--reuse /tmp/doctors.db]  (keep the loaded database for the next run instead of deleting it)
//   [--postgis postgres://postgres@127.0.0.1:PORT/postgres]  (also time PostGIS on the same data)
//   [--engine postgres]  (the app's PostGIS search on the same doctors and points, in a
//   database of its own on the server of DATABASE_URL=postgres://…, or on a local cluster
//   started here (shared_buffers 512 MB) when none is given; its figures end the run)
// Fills a temporary database with N synthetic verified doctors around real cities
// (population-weighted), then times the finder's top-20-within-50-km search through the
// R*Tree (searchDoctors) against a full scan (scanDoctors) at seeded, population-weighted
// query points. The last line printed is JSON, for CI and the decision record.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { migrateDatabase, openDatabase } from "#db/client";
import {
  scanDoctors,
  searchDoctors,
  searchStats,
  type DoctorSearch,
} from "~/doctors/search.server";
import { SPECIALTY_IDS } from "~/doctors/specialties";
import { LANGUAGES } from "~/doctors/languages";
import { citiesAbove } from "~/geo/gazetteer.server";
import type { Place } from "~/geo/place-names";
import { validCoordinates } from "~/geo/geo";
import { seededRandom } from "../seed/random";
import { isPostgresUrl } from "#db/pg/client";
import { benchPostgres } from "./lib/bench-doctors-postgres";
import { printLoadAverage } from "./lib/load";
import { startPostgres, type PostgresServer } from "./lib/real-servers";

const { values } = parseArgs({
  options: {
    doctors: { type: "string", default: "1000000" },
    queries: { type: "string", default: "2000" },
    scans: { type: "string", default: "20" },
    radius: { type: "string", default: "50" },
    k: { type: "string", default: "20" },
    seed: { type: "string", default: "20240610" },
    reuse: { type: "string" },
    postgis: { type: "string" },
    engine: { type: "string", default: "sqlite" },
  },
});
const ENGINE = values.engine;
if (ENGINE !== "sqlite" && ENGINE !== "postgres") {
  throw new Error(`Bad --engine: ${ENGINE} (sqlite or postgres)`);
}
const GIVEN_URL = process.env.DATABASE_URL;
const N = Number(values.doctors);
const QUERIES = Number(values.queries);
const SCANS = Number(values.scans);
const RADIUS_KM = Number(values.radius);
const K = Number(values.k);
const SEED = Number(values.seed);
for (const [name, v] of Object.entries({
  doctors: N,
  queries: QUERIES,
  scans: SCANS,
  radius: RADIUS_KM,
  k: K,
})) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`Bad --${name}: ${v}`);
}

type Rng = ReturnType<typeof seededRandom>;
/** One stream for the data, another for the query points (so --reuse sees the same queries). */
const rng = seededRandom(SEED);
const queryRng = seededRandom(SEED + 1);

/** Standard normal (Box–Muller). */
function gaussian(r: Rng): number {
  const u = 1 - r.next();
  const v = r.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const cities = citiesAbove(15_000);
const cumulative = new Float64Array(cities.length);
let total = 0;
cities.forEach((c, i) => {
  total += c.population;
  cumulative[i] = total;
});
function pickCity(r: Rng): Place {
  const x = r.next() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return cities[lo]!;
}

/** A point scattered around a city: σ = 3 km + √(population / 100k) km, at most 15 km. */
function around(r: Rng, city: Place): { lat: number; lng: number } {
  const sigmaKm = Math.min(15, 3 + Math.sqrt(city.population / 100_000));
  for (;;) {
    const lat = city.lat + (gaussian(r) * sigmaKm) / 111.32;
    const cos = Math.max(0.05, Math.cos((lat * Math.PI) / 180));
    let lng = city.lng + (gaussian(r) * sigmaKm) / (111.32 * cos);
    if (lng > 180) lng -= 360;
    if (lng < -180) lng += 360;
    if (validCoordinates(lat, lng)) return { lat, lng };
  }
}

const uuid = (kind: number, i: number) =>
  `${kind.toString(16).padStart(8, "0")}-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const round = (x: number, digits = 3) => Number(x.toFixed(digits));

const file =
  values.reuse ?? path.join(os.tmpdir(), `hemalink-bench-doctors-${process.pid}-${Date.now()}.db`);
const reuse = values.reuse !== undefined && fs.existsSync(values.reuse);
const removeDb = () => {
  if (values.reuse !== undefined) return;
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(file + suffix, { force: true });
};

printLoadAverage();
// Started before the load, so that a missing Postgres fails at once, not after minutes.
const startedPostgres: PostgresServer | undefined =
  ENGINE === "postgres" && !isPostgresUrl(GIVEN_URL)
    ? await startPostgres({ settings: ["shared_buffers=512MB"] })
    : undefined;
const POSTGRES_URL = startedPostgres?.url ?? GIVEN_URL;
if (startedPostgres) console.log(`Started a PostgreSQL cluster at ${startedPostgres.url}`);

try {
  const db = openDatabase(file);
  migrateDatabase(db);
  const sqlite = db.$client;
  // A throwaway database: durability off for the load, and a 2 GB SQLite page cache so the
  // timings are those of a server whose database is in memory (the OS page cache of this
  // shared machine is reclaimed aggressively, which would time the disk instead).
  sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -2000000");
  // Statement journals (each insert fires the R*Tree triggers) in memory, not temp files:
  // 44 → 24 µs a doctor here.
  sqlite.pragma("temp_store = MEMORY");

  console.log(`Database: ${file}`);
  console.log(`Cities ≥ 15,000: ${cities.length} (population ${(total / 1e9).toFixed(2)} bn)`);

  // ---- Load -------------------------------------------------------------------------
  const insertUser = sqlite.prepare(
    `INSERT INTO users (id, email, password_hash, role, display_name, created_at, updated_at)
     VALUES (?, ?, '!', 'doctor', ?, ?, ?)`,
  );
  const insertDoctor = sqlite.prepare(
    `INSERT INTO doctor_profiles (id, user_id, status, title, licence_number, specialties,
       languages, clinic_name, city, country, lat, lng, offers_teleconsultation,
       accepts_new_patients, is_demo, verified_at, geo_id, rating_count, rating_sum,
       created_at, updated_at)
     VALUES (?, ?, 'verified', 'Dr.', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)`,
  );
  const FIRST = ["Ana", "Ben", "Chen", "Dara", "Elif", "Femi", "Gita", "Hugo", "Ines", "Jun"];
  const LAST = ["Okafor", "Silva", "Nguyen", "Müller", "Rossi", "Khan", "Sato", "Dubois", "Kim"];
  const now = Date.now();
  const BATCH = 50_000;
  const loadBatch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const city = pickCity(rng);
      const { lat, lng } = around(rng, city);
      const userId = uuid(1, i);
      const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
      insertUser.run(userId, `doctor${i}@bench.invalid`, name, now, now);
      const specialties = rng.sample(SPECIALTY_IDS, 1 + Math.floor(rng.next() * 2));
      const languages = rng.sample(LANGUAGES, 1 + Math.floor(rng.next() * 3));
      // Many doctors have few reviews; a few have hundreds. Means between 3 and 5 stars.
      const count = rng.next() < 0.25 ? 0 : Math.floor(Math.exp(rng.next() * 5.5));
      const mean = 3 + 2 * Math.sqrt(rng.next());
      const sum = Math.min(5 * count, Math.max(count, Math.round(mean * count)));
      insertDoctor.run(
        uuid(2, i),
        userId,
        `BENCH-${i}`,
        JSON.stringify(specialties),
        JSON.stringify(languages),
        `${city.name} Hematology Clinic ${i % 7}`,
        city.name,
        city.country,
        lat,
        lng,
        rng.next() < 0.5 ? 1 : 0,
        rng.next() < 0.8 ? 1 : 0,
        now,
        i + 1,
        count,
        sum,
        now,
        now,
      );
    }
  });
  const loadStart = performance.now();
  for (let from = 0; from < N && !reuse; from += BATCH) {
    loadBatch(from, Math.min(N, from + BATCH));
    if (process.stdout.isTTY) process.stdout.write(`\rLoaded ${Math.min(N, from + BATCH)}`);
  }
  if (process.stdout.isTTY && !reuse) process.stdout.write("\n");
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const indexed = (sqlite.prepare("SELECT count(*) AS n FROM doctor_geo").get() as { n: number }).n;
  sqlite.pragma("wal_checkpoint(TRUNCATE)");
  const sizeMb = fs.statSync(file).size / 1e6;
  console.log(
    (reuse
      ? `Reused ${file} `
      : `Loaded ${N.toLocaleString("en")} verified doctors in ${loadSeconds.toFixed(1)} s `) +
      `(${indexed.toLocaleString("en")} in the R*Tree, ${sizeMb.toFixed(0)} MB)`,
  );
  if (indexed !== N) throw new Error(`R*Tree holds ${indexed} doctors, expected ${N}`);

  // ---- Queries ----------------------------------------------------------------------
  const warmStart = performance.now();
  for (const sql of [
    "SELECT count(*), sum(rating_sum), sum(length(specialties)) FROM doctor_profiles NOT INDEXED",
    "SELECT count(*) FROM doctor_profiles INDEXED BY doctor_profiles_geo_id_unique WHERE geo_id > 0",
    "SELECT count(*), sum(length(data)) FROM doctor_geo_node",
    // The R*Tree's auxiliary columns (the scoring columns) live in its rowid table.
    "SELECT count(*), sum(rating_sum), sum(length(specialties)) FROM doctor_geo",
    "SELECT count(*), sum(length(display_name)) FROM users NOT INDEXED",
    "SELECT count(*) FROM users INDEXED BY sqlite_autoindex_users_1 WHERE id > ''",
  ]) {
    sqlite.prepare(sql).get();
  }
  console.log(
    `Read the tables into the page cache in ${(performance.now() - warmStart).toFixed(0)} ms`,
  );
  const queryAt = (): DoctorSearch => ({
    ...around(queryRng, pickCity(queryRng)),
    radiusKm: RADIUS_KM,
    k: K,
  });
  for (let i = 0; i < 50; i++) searchDoctors(sqlite, queryAt()); // warm-up
  const times: number[] = [];
  const queries: DoctorSearch[] = [];
  for (let i = 0; i < QUERIES; i++) queries.push(queryAt());
  for (const key of Object.keys(searchStats) as (keyof typeof searchStats)[]) searchStats[key] = 0;
  for (const query of queries) {
    const t0 = performance.now();
    searchDoctors(sqlite, query);
    times.push(performance.now() - t0);
  }
  const per = (n: number) => (n / searchStats.searches).toFixed(0);
  console.log(
    `Per search: ${per(searchStats.rings)} rings (one R*Tree query each), ` +
      `${per(searchStats.indexRows)} doctors bounded from the index's nodes, ` +
      `${per(searchStats.refined)} read exactly and scored`,
  );
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const p95 = percentile(times, 95);
  const p99 = percentile(times, 99);
  console.log(
    `searchDoctors (R*Tree), ${QUERIES} queries, top ${K} within ${RADIUS_KM} km: ` +
      `p50 ${p50.toFixed(3)} ms, p95 ${p95.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, ` +
      `max ${times[times.length - 1]!.toFixed(1)} ms`,
  );

  // ---- Baseline, and agreement ------------------------------------------------------
  const scanTimes: number[] = [];
  let mismatches = 0;
  for (let i = 0; i < SCANS; i++) {
    const query = queries[Math.floor((i * queries.length) / SCANS)]!;
    const t0 = performance.now();
    const expected = scanDoctors(sqlite, query);
    scanTimes.push(performance.now() - t0);
    const got = searchDoctors(sqlite, query);
    if (got.map((h) => h.id).join() !== expected.map((h) => h.id).join()) mismatches++;
  }
  scanTimes.sort((a, b) => a - b);
  const scanP50 = percentile(scanTimes, 50);
  console.log(
    `scanDoctors (full scan), ${SCANS} queries: p50 ${scanP50.toFixed(1)} ms; ` +
      `results identical to searchDoctors in ${SCANS - mismatches}/${SCANS}`,
  );
  const postgis = values.postgis ? await timePostgis(values.postgis, sqlite, queries) : undefined;
  if (postgis) {
    const { ours, theirs } = postgis;
    const line = (name: string, t: typeof ours) =>
      `${name}: p50 ${t.p50.toFixed(3)} ms, p95 ${t.p95.toFixed(3)} ms, p99 ${t.p99.toFixed(3)} ms`;
    console.log(
      `Interleaved at the same ${QUERIES} points (each point: one search, one PostGIS query, ` +
        `in alternating order):\n  ${line("searchDoctors (ranked)", ours)}\n  ` +
        line(`PostGIS plain KNN (GiST, ORDER BY <-> within ${RADIUS_KM} km, LIMIT ${K})`, theirs) +
        `\n  searchDoctors is ${(theirs.p50 / ours.p50).toFixed(2)}× / ` +
        `${(theirs.p95 / ours.p95).toFixed(2)}× as fast at p50 / p95`,
    );
  }
  const engine =
    ENGINE === "postgres" && isPostgresUrl(POSTGRES_URL)
      ? await benchPostgres(POSTGRES_URL, sqlite, queries, SCANS)
      : undefined;
  sqlite.close();
  if (engine) {
    console.log(
      `Postgres: loaded ${N.toLocaleString("en")} doctors and built the GiST index in ` +
        `${engine.loadSeconds.toFixed(1)} s (${engine.sizeMb.toFixed(0)} MB)`,
    );
    engine.times.sort((a, b) => a - b);
    engine.scanTimes.sort((a, b) => a - b);
    console.log(
      `searchDoctorsPostgis (GiST KNN), ${QUERIES} queries, top ${K} within ${RADIUS_KM} km: ` +
        `p50 ${percentile(engine.times, 50).toFixed(3)} ms, p95 ${percentile(engine.times, 95).toFixed(3)} ms, ` +
        `p99 ${percentile(engine.times, 99).toFixed(3)} ms, max ${engine.times[engine.times.length - 1]!.toFixed(1)} ms; ` +
        `results identical to searchDoctors in ${QUERIES - engine.mismatches}/${QUERIES}`,
    );
    if (engine.serverCpuMsPerSearch !== undefined) {
      console.log(
        `Postgres backend CPU per search: ${engine.serverCpuMsPerSearch.toFixed(2)} ms ` +
          `(its process, from /proc; the rest of the latency is the round trip and waiting)`,
      );
    }
    console.log(
      `searchDoctorsPostgis with index scans off (full scan), ${SCANS} queries: ` +
        `p50 ${percentile(engine.scanTimes, 50).toFixed(1)} ms`,
    );
    if (engine.mismatches > 0) {
      process.exitCode = 1;
      console.log(`MISMATCH: PostGIS disagreed with the SQLite search ${engine.mismatches} times`);
    }
  }
  if (mismatches > 0) {
    process.exitCode = 1;
    console.log(`MISMATCH: the indexed search disagreed with the scan ${mismatches} times`);
  }
  console.log(
    JSON.stringify({
      doctors: N,
      k: K,
      p50_ms: round(p50),
      p95_ms: round(p95),
      scan_p50_ms: round(scanP50, 1),
      speedup: round(scanP50 / p50, 1),
      ...(postgis && {
        interleaved_p50_ms: round(postgis.ours.p50),
        interleaved_p95_ms: round(postgis.ours.p95),
        postgis_knn_p50_ms: round(postgis.theirs.p50),
        postgis_knn_p95_ms: round(postgis.theirs.p95),
      }),
      load_average: os.loadavg().map((n) => round(n, 2)),
    }),
  );
  if (engine) {
    // The same line for Postgres, last: SQLite's line above it, side by side.
    const engineP50 = percentile(engine.times, 50);
    const engineScanP50 = percentile(engine.scanTimes, 50);
    console.log(
      JSON.stringify({
        engine: "postgres",
        doctors: N,
        k: K,
        p50_ms: round(engineP50),
        p95_ms: round(percentile(engine.times, 95)),
        scan_p50_ms: round(engineScanP50, 1),
        speedup: round(engineScanP50 / engineP50, 1),
        load_average: os.loadavg().map((n) => round(n, 2)),
      }),
    );
  }
} finally {
  removeDb();
  await startedPostgres?.stop();
}

/**
 * The same doctors (geo id and point) copied into a PostGIS table with a GiST index, then the
 * same query points as a plain nearest-neighbour query: the 20 nearest within the radius, no
 * ranking (PostGIS's best case). Timed from here, like a server would call it (loopback).
 * Each point is timed for both back to back, in alternating order, so that both see the same
 * moment of this shared machine (a loop of searches alone is descheduled more often than one
 * that waits for a socket between queries).
 */
async function timePostgis(url: string, sqlite: BetterSqlite3.Database, queries: DoctorSearch[]) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("CREATE EXTENSION IF NOT EXISTS postgis");
    await client.query("DROP TABLE IF EXISTS bench_doctors");
    await client.query(
      "CREATE TABLE bench_doctors (geo_id integer PRIMARY KEY, geog geography(Point, 4326) NOT NULL)",
    );
    const started = performance.now();
    const rows = sqlite
      .prepare(
        "SELECT geo_id, lat, lng FROM doctor_profiles WHERE geo_id IS NOT NULL ORDER BY geo_id",
      )
      .raw()
      .iterate() as IterableIterator<[number, number, number]>;
    let ids: number[] = [];
    let lats: number[] = [];
    let lngs: number[] = [];
    const flush = async () => {
      if (ids.length === 0) return;
      await client.query(
        `INSERT INTO bench_doctors SELECT id, ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography
         FROM unnest($1::integer[], $2::float8[], $3::float8[]) AS t(id, lat, lng)`,
        [ids, lats, lngs],
      );
      ids = [];
      lats = [];
      lngs = [];
    };
    for (const [id, lat, lng] of rows) {
      ids.push(id);
      lats.push(lat);
      lngs.push(lng);
      if (ids.length === 50_000) await flush();
    }
    await flush();
    await client.query("CREATE INDEX bench_doctors_geog ON bench_doctors USING gist (geog)");
    await client.query("VACUUM ANALYZE bench_doctors");
    console.log(
      `PostGIS: copied and indexed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    const knn = {
      name: "bench-knn",
      text: `SELECT geo_id FROM bench_doctors
             WHERE ST_DWithin(geog, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3)
             ORDER BY geog <-> ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography LIMIT $4`,
    };
    const run = (q: DoctorSearch) =>
      client.query({ ...knn, values: [q.lng, q.lat, q.radiusKm * 1000, q.k] });
    for (const q of queries.slice(0, 50)) await run(q); // warm-up
    const ours: number[] = [];
    const theirs: number[] = [];
    const timeOurs = (q: DoctorSearch) => {
      const t0 = performance.now();
      searchDoctors(sqlite, q);
      ours.push(performance.now() - t0);
    };
    const timeTheirs = async (q: DoctorSearch) => {
      const t0 = performance.now();
      await run(q);
      theirs.push(performance.now() - t0);
    };
    for (const [i, q] of queries.entries()) {
      if (i % 2 === 0) {
        timeOurs(q);
        await timeTheirs(q);
      } else {
        await timeTheirs(q);
        timeOurs(q);
      }
    }
    const summary = (times: number[]) => {
      times.sort((a, b) => a - b);
      return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
    };
    return { ours: summary(ours), theirs: summary(theirs) };
  } finally {
    await client.query("DROP TABLE IF EXISTS bench_doctors").catch(() => undefined);
    await client.end();
  }
}
