import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as tables from "#db/schema";
import { ENGINE } from "#db/engine";
import * as sqliteSchema from "../../db/schema";

const tablesOf = (module: Record<string, unknown>) =>
  Object.entries(module)
    .filter(([, value]) => is(value, SQLiteTable) || is(value, PgTable))
    .map(([name, value]) => [name, getTableName(value as SQLiteTable)] as const)
    .sort(([a], [b]) => a.localeCompare(b));

describe("#db/schema: the engine's tables (decision 058)", () => {
  test("every table of db/schema.ts, under the same name, on this process's engine", () => {
    expect(tablesOf(tables)).toEqual(tablesOf(sqliteSchema));
    const kind = ENGINE === "postgres" ? PgTable : SQLiteTable;
    for (const [name] of tablesOf(tables)) {
      expect(is((tables as Record<string, unknown>)[name], kind), name).toBe(true);
    }
  });
});
