// Runs before the server starts: build the offline place table when missing, migrate, then
// seed the demo data when the database is empty.
import { getDb } from "#db/client";
import { ENGINE } from "#db/engine";
import { migratePostgres } from "#db/pg/client";
import { hashPassword } from "~/auth/password.server";
import { DEMO_ACCOUNTS, isSeeded, seedDemo } from "./demo";
import "./places";

// SQLite migrates on first use (db/client.ts); a Postgres database here, before any query.
if (ENGINE === "postgres") await migratePostgres(process.env.DATABASE_URL!);
const db = getDb();
if (await isSeeded(db)) {
  console.log("Database is up to date; demo data already present or real data in use.");
} else {
  const started = Date.now();
  await seedDemo(hashPassword);
  console.log(`Seeded demo data in ${Date.now() - started} ms. Demo accounts:`);
  for (const [role, account] of Object.entries(DEMO_ACCOUNTS)) {
    const key = "totpSecret" in account ? `  (two-step login key ${account.totpSecret})` : "";
    console.log(`  ${role.padEnd(14)} ${account.email}  /  ${account.password}${key}`);
  }
  console.log("Codes for two-step login: npm run demo:codes");
}
