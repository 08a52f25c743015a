import crypto from "node:crypto";
import pg from "pg";

/**
 * A fresh database for one test file on the suite's Postgres cluster, copied from the migrated
 * template (PostGIS included). Fails with what to install when Postgres is missing.
 */
export async function freshPostgresDatabase(): Promise<string> {
  const missing = process.env.HEMALINK_TEST_PG_ERROR;
  if (missing) throw new Error(missing);
  const server = process.env.HEMALINK_TEST_PG_URL;
  const template = process.env.HEMALINK_TEST_PG_TEMPLATE;
  if (!server || !template) throw new Error("The Postgres test server was not started");
  const name = `test_${crypto.randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The suite's S3 server (tests/setup/global-servers.ts), as the app's S3 settings. */
export function testS3Settings() {
  return {
    S3_ENDPOINT: process.env.HEMALINK_TEST_S3_ENDPOINT!,
    S3_BUCKET: process.env.HEMALINK_TEST_S3_BUCKET!,
    S3_REGION: "us-east-1",
    S3_ACCESS_KEY_ID: process.env.HEMALINK_TEST_S3_ACCESS_KEY_ID!,
    S3_SECRET_ACCESS_KEY: process.env.HEMALINK_TEST_S3_SECRET_ACCESS_KEY!,
    S3_FORCE_PATH_STYLE: "true",
  };
}
