import { is } from "drizzle-orm";
import { getTableConfig as pgTableConfig, PgTable } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import fs from "node:fs";
import pg from "pg";
import { migratePostgres } from "#db/pg/client";
import * as pgSchema from "#db/pg/schema";
import * as sqliteSchema from "#db/schema";
import { freshPostgresDatabase } from "../setup/test-servers";

const sqliteTables = (Object.values(sqliteSchema) as unknown[])
  .filter((value): value is SQLiteTable => is(value, SQLiteTable))
  .map(sqliteTableConfig);
const pgTables = new Map(
  (Object.values(pgSchema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map(pgTableConfig)
    .map((config) => [config.name, config]),
);

/** Postgres columns that exist only there, by design (docs/decisions/050). */
const POSTGRES_ONLY = new Set(["doctor_profiles.geog", "doctor_profiles_geog_verified_idx"]);

/**
 * Differences by design: SQLite's `geo_id` is assigned by a trigger just after the insert (so
 * the column allows null); Postgres's is an identity column, never null.
 */
const STRICTER_IN_POSTGRES = new Set(["doctor_profiles.geo_id"]);

const indexNames = (config: { indexes: { config: { name?: string; unique: boolean } }[] }) =>
  config.indexes.map((i) => `${i.config.name}${i.config.unique ? " (unique)" : ""}`).sort();

describe("the Postgres schema mirrors the SQLite schema", () => {
  test("every SQLite table exists in Postgres, and no table only in one of them", () => {
    expect([...pgTables.keys()].sort()).toEqual(sqliteTables.map((t) => t.name).sort());
  });

  test.each(sqliteTables.map((t) => [t.name, t] as const))(
    "%s: the same columns with compatible types, nullability, keys, indexes and checks",
    (name, sqlite) => {
      const postgres = pgTables.get(name)!;
      const describeColumns = (
        columns: {
          name: string;
          dataType: string;
          notNull: boolean;
          primary: boolean;
          isUnique: boolean;
          enumValues?: string[];
          foreignKeys?: unknown;
        }[],
      ) =>
        columns
          .filter((c) => !POSTGRES_ONLY.has(`${name}.${c.name}`))
          .map((c) => ({
            name: c.name,
            // What the app reads and writes: string, number, boolean, date or json.
            type: c.dataType,
            notNull: c.notNull || STRICTER_IN_POSTGRES.has(`${name}.${c.name}`),
            primary: c.primary,
            unique: c.isUnique,
            enumValues: c.enumValues ?? [],
          }))
          .sort((a, b) => a.name.localeCompare(b.name));
      expect(describeColumns(postgres.columns)).toEqual(describeColumns(sqlite.columns));
      expect(indexNames(postgres).filter((n) => !POSTGRES_ONLY.has(n))).toEqual(indexNames(sqlite));
      expect(postgres.checks.map((c) => c.name).sort()).toEqual(
        sqlite.checks.map((c) => c.name).sort(),
      );
      const keysOf = (config: typeof sqlite | typeof postgres) =>
        config.primaryKeys.map((k) => k.columns.map((c) => c.name).join(",")).sort();
      expect(keysOf(postgres)).toEqual(keysOf(sqlite));
      const referencesOf = (config: typeof sqlite | typeof postgres) =>
        config.foreignKeys
          .map((fk) => {
            const ref = fk.reference();
            const target = ref.foreignTable as unknown as SQLiteTable & PgTable;
            const targetName = is(target, PgTable)
              ? pgTableConfig(target).name
              : sqliteTableConfig(target).name;
            const columns = ref.columns.map((c) => c.name).join(",");
            return `${columns} → ${targetName} on delete ${fk.onDelete ?? "no action"}`;
          })
          .sort();
      expect(referencesOf(postgres)).toEqual(referencesOf(sqlite));
    },
  );
});

describe("the committed Postgres migrations", () => {
  let client: pg.Client;
  let url: string;
  beforeAll(async () => {
    url = await freshPostgresDatabase();
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });
  afterAll(() => client?.end());

  test("create exactly the columns of db/pg/schema.ts (a schema change needs a new migration)", async () => {
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
       WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
         AND c.table_name <> 'spatial_ref_sys'`,
    );
    const inDatabase = rows.map((r) => `${r.table_name}.${r.column_name}`).sort();
    const inSchema = [...pgTables.values()]
      .flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`))
      .sort();
    expect(inDatabase).toEqual(inSchema);
  });

  test("put the doctors' locations in a geography column with a GiST index", async () => {
    const column = await client.query(
      `SELECT udt_name FROM information_schema.columns
       WHERE table_name = 'doctor_profiles' AND column_name = 'geog'`,
    );
    expect(column.rows).toEqual([{ udt_name: "geography" }]);
    const index = await client.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'doctor_profiles_geog_verified_idx'`,
    );
    expect(index.rows[0]?.indexdef).toMatch(/USING gist \(geog\)/);
  });

  test("keep the audit log append-only: no update, delete or truncate", async () => {
    await client.query(
      `INSERT INTO audit_log (at, action, outcome) VALUES (now(), 'test.append', 'success')`,
    );
    for (const statement of [
      "UPDATE audit_log SET action = 'rewritten'",
      "DELETE FROM audit_log",
      "TRUNCATE audit_log",
    ]) {
      await expect(client.query(statement)).rejects.toThrow(/append-only/);
    }
    const { rows } = await client.query("SELECT action FROM audit_log");
    expect(rows).toEqual([{ action: "test.append" }]);
  });

  test("keep a doctor's review aggregates to visible reviews, as SQLite's triggers do", async () => {
    await client.query(
      `INSERT INTO users (id, email, password_hash, display_name, created_at, updated_at) VALUES
         ('d', 'd@example.test', '!', 'D', now(), now()),
         ('p1', 'p1@example.test', '!', 'P1', now(), now()),
         ('p2', 'p2@example.test', '!', 'P2', now(), now())`,
    );
    await client.query(
      `INSERT INTO doctor_profiles (id, user_id, created_at, updated_at) VALUES ('dp', 'd', now(), now())`,
    );
    const review = (id: string, author: string, rating: number) =>
      client.query(
        `INSERT INTO reviews (id, doctor_id, author_id, rating, body, created_at, updated_at)
         VALUES ($1, 'dp', $2, $3, 'text', now(), now())`,
        [id, author, rating],
      );
    const aggregates = async () =>
      (
        await client.query(
          "SELECT rating_count AS count, rating_sum AS sum FROM doctor_profiles WHERE id = 'dp'",
        )
      ).rows[0];
    await review("r1", "p1", 5);
    await review("r2", "p2", 3);
    expect(await aggregates()).toEqual({ count: 2, sum: 8 });
    await client.query("UPDATE reviews SET status = 'hidden' WHERE id = 'r1'");
    expect(await aggregates()).toEqual({ count: 1, sum: 3 });
    await client.query("UPDATE reviews SET rating = 4 WHERE id = 'r2'");
    await client.query("DELETE FROM reviews WHERE id = 'r1'");
    expect(await aggregates()).toEqual({ count: 1, sum: 4 });
  });

  test("apply again without error (npm run db:migrate is safe to repeat)", async () => {
    await migratePostgres(url);
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations",
    );
    const journal = JSON.parse(fs.readFileSync("db/pg/migrations/meta/_journal.json", "utf8")) as {
      entries: unknown[];
    };
    expect(rows).toEqual([{ n: journal.entries.length }]);
  });
});
