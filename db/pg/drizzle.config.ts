import { defineConfig } from "drizzle-kit";

// The Postgres + PostGIS schema and its migrations (docs/decisions/050):
// npx drizzle-kit generate --config db/pg/drizzle.config.ts
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/pg/schema.ts",
  out: "./db/pg/migrations",
});
