/**
 * The PostgreSQL + PostGIS connection (node-postgres) and its migrations, chosen by
 * `DATABASE_URL=postgres://…` (docs/decisions/050, 058); `db/client.ts` serves the app's pool.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import * as schema from "./schema";

export type PgDb = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export { isPostgresUrl } from "../engine";

export function pgMigrationsFolder(): string {
  const candidates = [
    path.resolve(path.dirname(fileURLToPath(import.meta.url)), "migrations"),
    path.resolve(process.cwd(), "db/pg/migrations"),
  ];
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "meta/_journal.json")));
  if (!found) throw new Error("Postgres migrations folder not found");
  return found;
}

/** A pool; `readonly` opens every connection in read-only transactions (the app's reader). */
export function openPostgres(url: string, max = 10, { readonly = false } = {}): PgDb {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    ...(readonly ? { options: "-c default_transaction_read_only=on" } : {}),
  });
  return drizzle(pool, { schema }) as PgDb;
}

/** Apply the committed Postgres migrations (db/pg/migrations); each runs once. */
export async function migratePostgres(url: string): Promise<void> {
  const db = openPostgres(url, 1);
  try {
    await migrate(db, { migrationsFolder: pgMigrationsFolder() });
  } finally {
    await db.$client.end();
  }
}

/** A URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
