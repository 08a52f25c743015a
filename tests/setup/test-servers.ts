import crypto from "node:crypto";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import pg from "pg";
import { s3Client, type S3Settings } from "~/uploads/s3-store.server";
import { s3AppEnv } from "./s3-env";

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

/**
 * A new bucket on the suite's S3 server for one test file, as the store's settings and as the
 * app's environment: a sweep walks the whole bucket, so files never share one.
 */
export async function freshS3Bucket(bucket = `test-${crypto.randomBytes(6).toString("hex")}`) {
  const endpoint = process.env.HEMALINK_TEST_S3_ENDPOINT;
  if (!endpoint) throw new Error("The S3 test server was not started");
  const settings: S3Settings = {
    bucket,
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    credentials: {
      accessKeyId: process.env.HEMALINK_TEST_S3_ACCESS_KEY_ID!,
      secretAccessKey: process.env.HEMALINK_TEST_S3_SECRET_ACCESS_KEY!,
    },
  };
  const client = await s3Client(settings);
  await client.send(new CreateBucketCommand({ Bucket: settings.bucket }));
  return { settings, client, env: s3AppEnv(settings.bucket) };
}
