import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateDatabase, openDatabase } from "../../db/client";
import { buildPlaceTable, placeTablePath } from "../../app/geo/place-table.server";

/** Migrate one template database (every test file starts from a private copy) and build the place table. */
export default function setup() {
  // Built once here rather than by the first test of each worker.
  if (!fs.existsSync(placeTablePath())) buildPlaceTable(placeTablePath());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-test-"));
  const template = path.join(dir, "template.db");
  const db = openDatabase(template);
  migrateDatabase(db);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  db.$client.close();
  process.env.HEMALINK_TEST_TEMPLATE_DB = template;
  process.env.HEMALINK_TEST_DIR = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
