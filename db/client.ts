import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { ENGINE } from "./engine";
import { openPostgres, type PgDb } from "./pg/client";
import * as schema from "./schema";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export const DEFAULT_DATABASE_PATH = "data/hemalink.db";

/** `DATABASE_URL` may be a plain path or a `file:` URL. */
export function databasePath(url = process.env.DATABASE_URL): string {
  const raw = url && url.length > 0 ? url : DEFAULT_DATABASE_PATH;
  return raw.startsWith("file:") ? raw.slice("file:".length) : raw;
}

export function migrationsFolder(): string {
  // Works from the source tree (tsx, vitest) and from the server bundle in build/.
  const candidates = [
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), "migrations"),
    path.resolve(process.cwd(), "db/migrations"),
  ];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "meta/_journal.json")));
  if (!found) throw new Error("Database migrations folder not found");
  return found;
}

/**
 * Open a connection. `readonly` opens it for reading only (the app's reader connection): a
 * write through it fails with SQLITE_READONLY instead of bypassing the unit of work.
 */
export function openDatabase(file = databasePath(), { readonly = false } = {}): Db {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new Database(file, { readonly });
  if (!readonly) sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // FULL: a committed analysis or audit row survives a power cut, at a small write cost.
  if (!readonly) sqlite.pragma("synchronous = FULL");
  return drizzle(sqlite, { schema }) as Db;
}

/**
 * Apply the committed migrations with foreign keys off, as SQLite's procedure for rebuilding a
 * table asks (the migrations run in one transaction, where the pragma cannot change; with keys
 * on, dropping a rebuilt parent table would cascade to its children). The keys are checked
 * before they are turned back on: a migration that broke a reference stops the start.
 */
export function migrateDatabase(db: Db): void {
  db.$client.pragma("foreign_keys = OFF");
  try {
    migrate(db, { migrationsFolder: migrationsFolder() });
    const broken = db.$client.pragma("foreign_key_check") as unknown[];
    if (broken.length > 0) {
      throw new Error(`Migrations left ${broken.length} broken foreign key reference(s)`);
    }
  } finally {
    db.$client.pragma("foreign_keys = ON");
  }
}

const globalForDb = globalThis as unknown as {
  __hemalinkWriter?: Db;
  __hemalinkReader?: Db;
  __hemalinkPgWriter?: PgDb;
  __hemalinkPgReader?: PgDb;
};

/**
 * On PostgreSQL (docs/decisions/058) two node-postgres pools, as SQLite has two connections:
 * the writer's (units of work take one client each) and the reader's, whose connections are
 * read-only, so a write that bypasses the unit of work fails. Migrations are applied before the
 * app starts (`npm run db:migrate`), not by the first request of each instance. Typed as the
 * SQLite database: the data code uses only the query builder both dialects share, and
 * `app/data/sql-dialect.server.ts` where SQL differs.
 */
function postgresDb(role: "reader" | "writer"): PgDb {
  const size = Number(process.env.DATABASE_POOL_SIZE ?? 10);
  if (role === "writer") {
    globalForDb.__hemalinkPgWriter ??= openPostgres(process.env.DATABASE_URL!, size);
    return globalForDb.__hemalinkPgWriter;
  }
  globalForDb.__hemalinkPgReader ??= openPostgres(process.env.DATABASE_URL!, size, {
    readonly: true,
  });
  return globalForDb.__hemalinkPgReader;
}

/** The writer's node-postgres pool (a unit of work takes one client of it). Postgres only. */
export function getPostgres(): PgDb {
  if (ENGINE !== "postgres") throw new Error("getPostgres() needs a postgres:// DATABASE_URL");
  return postgresDb("writer");
}

/**
 * The writer connection: used only by units of work (`app/data/unit-of-work.server.ts`), one at
 * a time. Opened and migrated on first use so a server never runs on an old schema.
 */
export function getWriter(): Db {
  if (ENGINE === "postgres") return postgresDb("writer") as unknown as Db;
  if (!globalForDb.__hemalinkWriter) {
    const db = openDatabase();
    migrateDatabase(db);
    globalForDb.__hemalinkWriter = db;
  }
  return globalForDb.__hemalinkWriter;
}

/**
 * The reader connection, for every read outside a unit of work. Read-only, in WAL mode: it
 * never sees, nor joins, an open unit of work's uncommitted writes, and no read waits for the
 * writer. Every write goes through `inTransaction`. On Postgres: the pool.
 */
export function getDb(): Db {
  if (ENGINE === "postgres") return postgresDb("reader") as unknown as Db;
  if (!globalForDb.__hemalinkReader) {
    const writer = getWriter();
    globalForDb.__hemalinkReader = openDatabase(writer.$client.name, { readonly: true });
  }
  return globalForDb.__hemalinkReader;
}

/** Close the connections (scripts that end, tests that reopen the database). */
export async function closeDb(): Promise<void> {
  globalForDb.__hemalinkReader?.$client.close();
  globalForDb.__hemalinkWriter?.$client.close();
  globalForDb.__hemalinkReader = undefined;
  globalForDb.__hemalinkWriter = undefined;
  const pools = [globalForDb.__hemalinkPgReader, globalForDb.__hemalinkPgWriter];
  globalForDb.__hemalinkPgReader = undefined;
  globalForDb.__hemalinkPgWriter = undefined;
  for (const pool of pools) await pool?.$client.end();
}
