/**
 * The app's environment for the suite's S3 server and one bucket. No imports: a test file's
 * `vi.hoisted` loads it before anything reads the environment.
 */
export const s3AppEnv = (bucket: string) => ({
  IMAGE_STORE: "s3",
  S3_BUCKET: bucket,
  S3_REGION: "us-east-1",
  S3_ENDPOINT: process.env.HEMALINK_TEST_S3_ENDPOINT!,
  S3_ACCESS_KEY_ID: process.env.HEMALINK_TEST_S3_ACCESS_KEY_ID!,
  S3_SECRET_ACCESS_KEY: process.env.HEMALINK_TEST_S3_SECRET_ACCESS_KEY!,
  S3_FORCE_PATH_STYLE: "true",
});
