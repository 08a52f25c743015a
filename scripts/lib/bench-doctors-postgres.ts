/**
 * `npm run bench:doctors -- --engine postgres`: the benchmark's doctors and query points on
 * PostgreSQL + PostGIS. A database of its own is created on the server of DATABASE_URL
 * (dropped at the end), migrated with db/pg/migrations, filled with the doctors the SQLite run
 * generated, and timed with the app's PostGIS search (app/doctors/search-postgis.server.ts)
 * over the same points; every answer is compared with the SQLite search's.
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { migratePostgres, redactedUrl } from "#db/pg/client";
import { searchDoctorsPostgis } from "~/doctors/search-postgis.server";
import { searchDoctors, type DoctorSearch } from "~/doctors/search.server";

export type EngineFigures = {
  loadSeconds: number;
  times: number[];
  scanTimes: number[];
  /** Queries whose answer differs from the SQLite search's (ids and order). */
  mismatches: number;
  /**
   * CPU of the Postgres backend process per search (from /proc, when the server runs on this
   * machine): what a search costs the database, whatever the wait on a shared machine.
   */
  serverCpuMsPerSearch?: number;
  sizeMb: number;
};

const BATCH = 20_000;

export async function benchPostgres(
  url: string,
  sqlite: BetterSqlite3.Database,
  queries: DoctorSearch[],
  scans: number,
): Promise<EngineFigures> {
  const name = `hemalink_bench_${process.pid}`;
  const server = new pg.Client({ connectionString: url });
  await server.connect();
  await server.query(`DROP DATABASE IF EXISTS ${name}`);
  await server.query(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  console.log(`Postgres: database ${name} on ${redactedUrl(url)} (dropped at the end)`);
  const client = new pg.Client({ connectionString: target.toString() });
  try {
    await migratePostgres(target.toString());
    await client.connect();
    const started = performance.now();
    await copyDoctors(sqlite, client);
    await client.query("VACUUM ANALYZE doctor_profiles");
    await client.query("VACUUM ANALYZE users");
    const loadSeconds = (performance.now() - started) / 1000;
    const size = await client.query<{ bytes: string }>(
      "SELECT pg_database_size(current_database()) AS bytes",
    );
    const sizeMb = Number(size.rows[0]!.bytes) / 1e6;
    // Bytes per row with the table's indexes (docs/scaling.md sizes a fleet from these).
    const tables = await client.query<{ name: string; rows: string; bytes: string }>(
      `SELECT relname AS name, n_live_tup AS rows, pg_total_relation_size(relid) AS bytes
       FROM pg_stat_user_tables WHERE relname IN ('users', 'doctor_profiles') ORDER BY relname`,
    );
    for (const { name, rows, bytes } of tables.rows) {
      console.log(
        `Postgres: ${name} ${(Number(bytes) / 1e6).toFixed(0)} MB with its indexes, ` +
          `${Math.round(Number(bytes) / Math.max(1, Number(rows)))} bytes a row (${Number(rows).toLocaleString("en")} rows)`,
      );
    }
    // Read the tables and the index once, as the SQLite run warms its page cache.
    await client.query("SELECT count(*), sum(rating_sum) FROM doctor_profiles");
    await client.query("SELECT count(*) FROM users");
    for (const query of queries.slice(0, 50)) await searchDoctorsPostgis(client, query);

    const backend = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const backendCpuMs = () => processCpuMs(backend.rows[0]!.pid);
    const cpuStart = backendCpuMs();
    const times: number[] = [];
    let mismatches = 0;
    for (const query of queries) {
      const t0 = performance.now();
      const got = await searchDoctorsPostgis(client, query);
      times.push(performance.now() - t0);
      const expected = searchDoctors(sqlite, query);
      if (got.map((h) => h.id).join() !== expected.map((h) => h.id).join()) mismatches++;
    }
    const cpuEnd = backendCpuMs();
    const serverCpuMsPerSearch =
      cpuStart !== undefined && cpuEnd !== undefined
        ? (cpuEnd - cpuStart) / queries.length
        : undefined;
    // The baseline: the same search with Postgres's index scans off (a full scan).
    await client.query("SET enable_indexscan = off");
    await client.query("SET enable_bitmapscan = off");
    const scanTimes: number[] = [];
    for (let i = 0; i < scans; i++) {
      const query = queries[Math.floor((i * queries.length) / scans)]!;
      const t0 = performance.now();
      await searchDoctorsPostgis(client, query);
      scanTimes.push(performance.now() - t0);
    }
    return { loadSeconds, times, scanTimes, mismatches, sizeMb, serverCpuMsPerSearch };
  } finally {
    await client.end().catch(() => undefined);
    await server.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
    await server.end();
  }
}

/** utime + stime of a local process in ms (100 Hz clock ticks), or undefined when not local. */
function processCpuMs(pid: number): number | undefined {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** The SQLite run's users and doctors, row for row (same ids, geo ids, points, ratings). */
async function copyDoctors(sqlite: BetterSqlite3.Database, client: pg.Client) {
  const users = sqlite
    .prepare("SELECT id, email, display_name FROM users WHERE role = 'doctor'")
    .raw()
    .iterate() as IterableIterator<[string, string, string]>;
  for (const batch of batches(users)) {
    await client.query(
      `INSERT INTO users (id, email, password_hash, role, display_name, created_at, updated_at)
       SELECT id, email, '!', 'doctor', name, now(), now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, email, name)`,
      columns(batch, 3),
    );
  }
  const doctors = sqlite
    .prepare(
      `SELECT id, user_id, status, title, licence_number, specialties, languages, clinic_name,
              city, country, lat, lng, offers_teleconsultation = 1, accepts_new_patients = 1,
              is_demo = 1, geo_id, rating_count, rating_sum
       FROM doctor_profiles`,
    )
    .raw()
    .iterate() as IterableIterator<unknown[]>;
  for (const batch of batches(doctors)) {
    await client.query(
      `INSERT INTO doctor_profiles (id, user_id, status, title, licence_number, specialties,
         languages, clinic_name, city, country, lat, lng, offers_teleconsultation,
         accepts_new_patients, is_demo, geo_id, rating_count, rating_sum, verified_at,
         created_at, updated_at)
       SELECT id, user_id, status, title, licence, specialties::jsonb, languages::jsonb, clinic,
         city, country, lat, lng, tele, accepting, demo, geo_id, rating_count, rating_sum,
         now(), now(), now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::text[], $8::text[], $9::text[], $10::text[], $11::float8[], $12::float8[],
         $13::boolean[], $14::boolean[], $15::boolean[], $16::integer[], $17::integer[],
         $18::integer[])
         AS t(id, user_id, status, title, licence, specialties, languages, clinic, city,
              country, lat, lng, tele, accepting, demo, geo_id, rating_count, rating_sum)`,
      columns(batch, 18).map((column, i) => (i >= 12 && i <= 14 ? column.map(Boolean) : column)),
    );
  }
  // Profiles inserted with their geo ids: the identity continues after the largest.
  await client.query(
    "SELECT setval(pg_get_serial_sequence('doctor_profiles', 'geo_id'), coalesce(max(geo_id), 1)) FROM doctor_profiles",
  );
}

function* batches<T>(rows: IterableIterator<T>): Generator<T[]> {
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

const columns = (rows: unknown[][], n: number) =>
  Array.from({ length: n }, (_, i) => rows.map((row) => row[i]));
