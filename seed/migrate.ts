// npm run db:migrate: apply the committed migrations to DATABASE_URL (default data/hemalink.db).
import { databasePath, getDb } from "#db/client";

getDb();
console.log(`Migrations applied to ${databasePath()}`);
