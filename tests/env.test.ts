import fs from "node:fs";
import path from "node:path";
import { parseEnv } from "~/env.server";

describe("environment", () => {
  test("production without SESSION_SECRET is a start-up error", () => {
    expect(() => parseEnv({ NODE_ENV: "production" })).toThrow(/SESSION_SECRET is required/);
  });

  test("development generates a secret once and keeps it under the data folder", () => {
    const dataDir = path.join(process.env.HEMALINK_TEST_DIR!, `env-${Date.now()}`);
    const first = parseEnv({ NODE_ENV: "development", DATA_DIR: dataDir });
    const second = parseEnv({ NODE_ENV: "development", DATA_DIR: dataDir });
    expect(first.SESSION_SECRET).toHaveLength(43);
    expect(second.SESSION_SECRET).toBe(first.SESSION_SECRET);
    expect(fs.existsSync(path.join(dataDir, "session-secret"))).toBe(true);
  });

  test("an invalid value names the variable", () => {
    expect(() => parseEnv({ NODE_ENV: "test", SESSION_IDLE_MINUTES: "soon" })).toThrow(
      /SESSION_IDLE_MINUTES/,
    );
  });

  test("the upload cap defaults to 2 at once, 7 waiting for 20 s, and refuses a cap of 0", () => {
    const env = parseEnv({ NODE_ENV: "test", SESSION_SECRET: "x".repeat(32) });
    expect([
      env.UPLOAD_CONCURRENCY,
      env.UPLOAD_QUEUE_LENGTH,
      env.UPLOAD_QUEUE_WAIT_SECONDS,
    ]).toEqual([2, 7, 20]);
    expect(() =>
      parseEnv({ NODE_ENV: "test", SESSION_SECRET: "x".repeat(32), UPLOAD_CONCURRENCY: "0" }),
    ).toThrow(/UPLOAD_CONCURRENCY/);
    expect(() =>
      parseEnv({ NODE_ENV: "test", SESSION_SECRET: "x".repeat(32), UPLOAD_QUEUE_LENGTH: "-1" }),
    ).toThrow(/UPLOAD_QUEUE_LENGTH/);
  });
});
