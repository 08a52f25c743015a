// npm run start:scaled: the production build on PostgreSQL + PostGIS and S3-compatible object
// storage, on this machine (docs/decisions/058). A postgres:// DATABASE_URL and an S3_ENDPOINT
// given in the environment are used as they are; otherwise a local Postgres cluster and an
// s3rver are started, their data kept under data/scaled/. Then: migrate, seed, serve.
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { isPostgresUrl, migratePostgres, redactedUrl } from "#db/pg/client";
import { SERVER_ENV, SERVER_NODE_FLAGS } from "./lib/app-server";
import {
  s3Settings,
  startPostgres,
  startS3,
  type PostgresServer,
  type S3Server,
} from "./lib/real-servers";

const SCALED = path.resolve("data", "scaled");
const stops: (() => Promise<void>)[] = [];

let databaseUrl = process.env.DATABASE_URL;
let postgres: PostgresServer | undefined;
if (!isPostgresUrl(databaseUrl)) {
  postgres = await startPostgres({ keepIn: path.join(SCALED, "postgres") });
  stops.push(() => postgres!.stop());
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  try {
    const exists = await admin.query("select 1 from pg_database where datname = 'hemalink'");
    if (exists.rowCount === 0) await admin.query("CREATE DATABASE hemalink");
  } finally {
    await admin.end();
  }
  const url = new URL(postgres.url);
  url.pathname = "/hemalink";
  databaseUrl = url.toString();
  console.log(`Started PostgreSQL (data in ${path.join(SCALED, "postgres")})`);
}
await migratePostgres(databaseUrl);
console.log(`Migrated ${redactedUrl(databaseUrl)}`);

let s3Env: Record<string, string> = {};
let s3: S3Server | undefined;
if (!process.env.S3_ENDPOINT) {
  s3 = await startS3("hemalink", { keepIn: path.join(SCALED, "s3") });
  stops.push(() => s3!.stop());
  s3Env = { IMAGE_STORE: "s3", ...s3Settings(s3) };
  console.log(`Started s3rver at ${s3.endpoint} (objects in ${path.join(SCALED, "s3")})`);
}

const env = {
  ...process.env,
  ...SERVER_ENV,
  IMAGE_STORE: "s3",
  ...s3Env,
  DATABASE_URL: databaseUrl,
  DATA_DIR: process.env.DATA_DIR ?? SCALED,
  // Links in e-mails point at the port this server listens on.
  APP_URL: process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`,
};

async function stopAll(code: number): Promise<never> {
  for (const stop of stops.reverse()) await stop().catch((error) => console.error(error));
  process.exit(code);
}

/** Run a child with the app's environment; Ctrl-C or SIGTERM stops it and then the servers. */
function run(args: string[]): Promise<number> {
  const child = spawn(process.execPath, args, { env, stdio: "inherit" });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward).on("SIGTERM", forward);
  return new Promise((resolve) =>
    child.on("exit", (code) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      resolve(code ?? 1);
    }),
  );
}

const seeded = await run(["--import", "tsx", "seed/setup.ts"]);
if (seeded !== 0) await stopAll(seeded);
await stopAll(await run([...SERVER_NODE_FLAGS, "scripts/start.js"]));
