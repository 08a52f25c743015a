// npm run db:migrate: apply the committed migrations to DATABASE_URL: a SQLite file (default
// data/hemalink.db, db/migrations) or a Postgres server (postgres://…, db/pg/migrations).
import { databasePath, getDb } from "#db/client";
import { isPostgresUrl, migratePostgres, redactedUrl } from "#db/pg/client";

const url = process.env.DATABASE_URL;
if (isPostgresUrl(url)) {
  await migratePostgres(url);
  console.log(`Postgres migrations applied to ${redactedUrl(url)}`);
} else {
  getDb();
  console.log(`Migrations applied to ${databasePath()}`);
}
