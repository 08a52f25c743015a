import { parseEnv } from "~/env.server";

const base = { NODE_ENV: "test", SESSION_SECRET: "x".repeat(32) } as const;

describe("the image store's settings", () => {
  test("the file store is the default; S3 takes its bucket, endpoint, region and path style", () => {
    expect(parseEnv(base).IMAGE_STORE).toBe("file");
    const env = parseEnv({
      ...base,
      IMAGE_STORE: "s3",
      S3_BUCKET: "hemalink-images",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_FORCE_PATH_STYLE: "true",
    });
    expect(env).toMatchObject({
      IMAGE_STORE: "s3",
      S3_BUCKET: "hemalink-images",
      S3_REGION: "us-east-1",
      S3_ENDPOINT: "http://127.0.0.1:9000",
      S3_FORCE_PATH_STYLE: true,
    });
  });

  test("a bad combination stops the start with the variable and what to do", () => {
    expect(() => parseEnv({ ...base, IMAGE_STORE: "s3" })).toThrow(
      /S3_BUCKET: IMAGE_STORE=s3 needs S3_BUCKET/,
    );
    expect(() =>
      parseEnv({ ...base, IMAGE_STORE: "s3", S3_BUCKET: "bucket", S3_ACCESS_KEY_ID: "only-one" }),
    ).toThrow(/Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither/);
    expect(() => parseEnv({ ...base, S3_FORCE_PATH_STYLE: "yes" })).toThrow(
      /S3_FORCE_PATH_STYLE must be true or false/,
    );
    expect(() => parseEnv({ ...base, IMAGE_STORE: "gcs" })).toThrow(/IMAGE_STORE/);
  });

  test("a postgres:// DATABASE_URL is accepted: the app serves both engines (decision 058)", () => {
    const url = "postgres://app@db.internal:5432/hemalink";
    expect(parseEnv({ ...base, DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });
});
