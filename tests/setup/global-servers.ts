import { POSTGRES_MISSING, postgresInstalled, startPostgres, startS3 } from "./real-servers";

/**
 * One Postgres + PostGIS cluster (with a migrated template database) and one S3 server for
 * the whole unit run. Without the Postgres packages the other tests still run and every
 * Postgres test fails with what to install (tests/setup/test-servers.ts): never a silent skip.
 */
export default async function setup() {
  const started = performance.now();
  const s3 = await startS3();
  Object.assign(process.env, {
    HEMALINK_TEST_S3_ENDPOINT: s3.endpoint,
    HEMALINK_TEST_S3_BUCKET: s3.bucket,
    HEMALINK_TEST_S3_ACCESS_KEY_ID: s3.accessKeyId,
    HEMALINK_TEST_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  });
  const postgres = postgresInstalled() ? await startPostgres() : null;
  if (postgres) {
    process.env.HEMALINK_TEST_PG_URL = postgres.url;
    process.env.HEMALINK_TEST_PG_TEMPLATE = postgres.templateName;
  } else {
    process.env.HEMALINK_TEST_PG_ERROR = POSTGRES_MISSING;
  }
  if (process.env.HEMALINK_TEST_SERVERS_TIMING === "1") {
    console.info(`Test servers started in ${(performance.now() - started).toFixed(0)} ms`);
  }
  return async () => {
    await s3.stop();
    await postgres?.stop();
  };
}
