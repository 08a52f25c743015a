import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeEach, vi } from "vitest";

// A private database per test file, copied from the migrated template: a SQLite file, or with
// TEST_DATABASE=postgres (npm run test:unit:pg) a database on the suite's Postgres cluster
// (`CREATE DATABASE … TEMPLATE`, tests/setup/global-servers.ts).
const dir = process.env.HEMALINK_TEST_DIR!;
if (process.env.TEST_DATABASE === "postgres") {
  const { freshPostgresDatabase } = await import("./test-servers");
  process.env.DATABASE_URL = await freshPostgresDatabase();
  // The file's pool closes with it (its database stays until the cluster is thrown away).
  afterAll(async () => {
    const { closeDb } = await import("#db/client");
    await closeDb();
  });
} else {
  const file = path.join(dir, `${crypto.randomUUID()}.db`);
  fs.copyFileSync(process.env.HEMALINK_TEST_TEMPLATE_DB!, file);
  process.env.DATABASE_URL = file;
}
// Files run side by side: each has its own images, datasets and jobs too.
process.env.DATA_DIR = fs.mkdtempSync(path.join(dir, "data-"));
process.env.NODE_ENV = "test";
process.env.SESSION_SECRET ??= "test-secret-test-secret-test-secret-0123";
// Cheaper hashing keeps the suite fast; production uses OWASP's N = 2^16, p = 2.
process.env.SCRYPT_LOG_N = "10";
process.env.MAIL_TRANSPORT = "none";

// An unexpected console.error is a failing test, not noise in the log.
let errorSpy: { mock: { calls: unknown[][] }; mockRestore: () => void };
beforeEach(() => {
  errorSpy = vi.spyOn(console, "error");
});
afterEach(() => {
  const calls = errorSpy.mock.calls;
  errorSpy.mockRestore();
  if (calls.length > 0) {
    throw new Error(`console.error was called:\n${calls.map((c) => c.join(" ")).join("\n")}`);
  }
});
