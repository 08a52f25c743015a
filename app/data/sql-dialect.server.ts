/**
 * The raw SQL that differs between the engines (docs/decisions/058), both versions side by
 * side, chosen once by `DATABASE_URL`. Everything else is drizzle's query builder, which both
 * dialects accept; a service that needs a function SQLite and PostgreSQL spell differently
 * takes it from here rather than testing the engine itself.
 */
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { ENGINE } from "#db/engine";
import type { Executor } from "./unit-of-work.server";

type PgExecutor = { execute(query: SQL): Promise<{ rows: unknown[]; rowCount: number | null }> };

const pg = ENGINE === "postgres";

/** The rows of a raw query, on the reader or a unit of work. */
export async function rawRows<T>(db: Executor, query: SQL): Promise<T[]> {
  if (pg) return (await (db as unknown as PgExecutor).execute(query)).rows as T[];
  return db.all<T>(query);
}

/** Run a raw statement (inside a unit of work: pass its `tx`). */
export async function rawRun(db: Executor, query: SQL): Promise<void> {
  if (pg) await (db as unknown as PgExecutor).execute(query);
  else db.run(query);
}

/** The larger of two values (SQLite's two-argument `max`, Postgres's `greatest`). */
export const greatest = (a: SQLWrapper | number, b: SQLWrapper | number): SQL =>
  pg ? sql`greatest(${a}, ${b})` : sql`max(${a}, ${b})`;

/** The smaller of two values; null when either is null on SQLite, the other one on Postgres. */
export const leastOf = (a: SQLWrapper, b: SQLWrapper): SQL =>
  pg ? sql`least(${a}, ${b})` : sql`min(${a}, ${b})`;

/** The values of a group joined with `separator` (`group_concat` / `string_agg`). */
export const joinedText = (value: SQLWrapper, separator: string): SQL =>
  pg ? sql`string_agg(${value}, ${separator})` : sql`group_concat(${value}, ${separator})`;

/**
 * A time as milliseconds since the epoch, a number on both engines: SQLite stores them so;
 * Postgres's `timestamp with time zone` is converted (`.mapWith(Number)` reads Postgres's
 * numeric text).
 */
export const epochMs = (time: SQLWrapper): SQL<number> =>
  (pg
    ? sql`(extract(epoch from ${time}) * 1000)::float8`
    : sql`${time}`
  ).mapWith(Number) as SQL<number>;

/**
 * The order rows were written in, to break ties between equal times: SQLite's `rowid`;
 * Postgres has none, and its row position (`ctid`) follows insertion for rows never updated
 * (the tables this orders: message threads, notifications).
 */
export const insertionOrder = (table: SQLiteTable): SQL =>
  pg ? sql`${table}.ctid` : sql`${table}.rowid`;

/**
 * How many rows of a group meet `condition`, a number on both engines (SQLite sums a
 * comparison's 0/1; Postgres refuses to sum a boolean and returns a bigint's text).
 */
export const countWhere = (condition: SQLWrapper): SQL<number> =>
  sql`coalesce(sum(case when ${condition} then 1 else 0 end), 0)`.mapWith(Number) as SQL<number>;

/** A subquery's or an aggregate's count as a number (Postgres's `count` is a bigint's text). */
export const asCount = (value: SQL): SQL<number> => value.mapWith(Number) as SQL<number>;

/**
 * Whether a failed statement broke a unique constraint: SQLite's `SQLITE_CONSTRAINT_UNIQUE`,
 * Postgres's SQLSTATE 23505 (node-postgres), on the error or the driver error drizzle wraps.
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error; e instanceof Object; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === (pg ? "23505" : "SQLITE_CONSTRAINT_UNIQUE")) return true;
    if (!pg && e instanceof Error && /UNIQUE constraint failed/.test(e.message)) return true;
  }
  return false;
}
