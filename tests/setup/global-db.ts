import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrateDatabase, openDatabase } from "../../db/client";

/** Migrate one template database; every test file starts from a private copy of it. */
export default function setup() {
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
