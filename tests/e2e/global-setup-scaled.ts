import { freshPostgresDatabase, freshS3Bucket } from "../setup/test-servers";
import { startPostgres, startS3 } from "../setup/real-servers";
import { startBrowserServer } from "./global-setup";

/**
 * The browser stories on PostgreSQL + PostGIS and S3 (`npm run test:e2e:scaled`,
 * docs/decisions/070): one throw-away cluster and one s3rver, the production server on a
 * database copied from the migrated template and on a bucket of its own. The cluster and the
 * S3 server stay reachable for files that start more instances (tests/e2e/two-instances.test.ts).
 */
export default async function setup() {
  const postgres = await startPostgres();
  const s3 = await startS3("hemalink-e2e");
  Object.assign(process.env, {
    HEMALINK_TEST_PG_URL: postgres.url,
    HEMALINK_TEST_PG_TEMPLATE: postgres.templateName,
    HEMALINK_TEST_S3_ENDPOINT: s3.endpoint,
    HEMALINK_TEST_S3_BUCKET: s3.bucket,
    HEMALINK_TEST_S3_ACCESS_KEY_ID: s3.accessKeyId,
    HEMALINK_TEST_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  });
  const { env: storeEnv } = await freshS3Bucket("hemalink-stories");
  let stopServer: (() => Promise<void>) | undefined;
  try {
    stopServer = await startBrowserServer({
      DATABASE_URL: await freshPostgresDatabase(),
      ...storeEnv,
    });
  } catch (error) {
    await s3.stop();
    await postgres.stop();
    throw error;
  }
  return async () => {
    await stopServer?.();
    await s3.stop();
    await postgres.stop();
  };
}
