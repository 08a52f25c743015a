/**
 * Real servers for the tests (docs/decisions/050, 051): a throw-away PostgreSQL 15 + PostGIS
 * cluster and an S3-compatible server (s3rver), each on a free port with its data in a
 * temporary folder. Started once by the unit suite's global setup.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import S3rver from "s3rver";
import { migratePostgres } from "../../db/pg/client";

export const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const POSTGIS_CONTROL = "/usr/share/postgresql/15/extension/postgis.control";

/** What a developer without the packages must do; the Postgres tests fail with it. */
export const POSTGRES_MISSING =
  `PostgreSQL 15 with PostGIS is not installed (${PG_BIN}/postgres, ${POSTGIS_CONTROL}). ` +
  "Install it with:\n  sudo apt-get update && sudo apt-get install -y postgresql-15 postgresql-15-postgis-3\n" +
  "(npm test installs it by itself when run as root; PG_BIN names another bin folder).";

export const postgresInstalled = () =>
  fs.existsSync(path.join(PG_BIN, "postgres")) && fs.existsSync(POSTGIS_CONTROL);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** initdb and postgres refuse to run as root: run them as the `postgres` user then. */
function runAsServerUser(command: string, args: string[]) {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot
    ? ["runuser", ["-u", "postgres", "--", path.join(PG_BIN, command), ...args]]
    : [path.join(PG_BIN, command), args];
  execFileSync(file, argv, { stdio: ["ignore", "pipe", "pipe"] });
}

export type PostgresServer = {
  /** The maintenance database `postgres` on the server. */
  url: string;
  /** A migrated database with PostGIS to copy (`CREATE DATABASE … TEMPLATE …`). */
  templateName: string;
  stop(): Promise<void>;
};

/**
 * A cluster in a temporary folder, removed when it stops; or, with `keepIn`, one kept in that
 * folder across runs (`npm run start:scaled`), created there the first time. A temporary
 * cluster runs without durability unless `durable` (the benchmarks: commits cost what they
 * cost in production); `settings` are extra server settings (`shared_buffers=512MB`).
 */
export async function startPostgres({
  keepIn,
  durable = false,
  settings = [],
}: { keepIn?: string; durable?: boolean; settings?: string[] } = {}): Promise<PostgresServer> {
  if (!postgresInstalled()) throw new Error(POSTGRES_MISSING);
  const dir = keepIn
    ? (fs.mkdirSync(keepIn, { recursive: true }), path.resolve(keepIn))
    : fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-pg-"));
  const data = path.join(dir, "data");
  const socket = path.join(dir, "sock");
  const fresh = !fs.existsSync(path.join(data, "PG_VERSION"));
  fs.mkdirSync(data, { recursive: true });
  fs.mkdirSync(socket, { recursive: true });
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
    for (const target of [dir, data, socket]) fs.chownSync(target, uid, gid);
  }
  const port = await freePort();
  if (fresh) {
    runAsServerUser(
      "initdb",
      ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"].concat([
        "--locale=C",
        "--no-sync",
      ]),
    );
  }
  // Durability off for a test cluster, which is thrown away; the tests measure no commit latency.
  const options = [
    `-p ${port}`,
    `-k ${socket}`,
    "-c listen_addresses=127.0.0.1",
    ...(keepIn || durable
      ? []
      : ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]),
    ...settings.map((setting) => `-c ${setting}`),
  ].join(" ");
  runAsServerUser("pg_ctl", [
    "-D",
    data,
    "-l",
    path.join(dir, "log"),
    "-w",
    "-o",
    options,
    "start",
  ]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const templateName = "hemalink_template";
  if (fresh) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${templateName}`);
    } finally {
      await admin.end();
    }
  }
  await migratePostgres(`postgres://postgres@127.0.0.1:${port}/${templateName}`);
  return {
    url,
    templateName,
    async stop() {
      try {
        runAsServerUser("pg_ctl", ["-D", data, "-m", keepIn ? "fast" : "immediate", "-w", "stop"]);
      } finally {
        if (!keepIn) fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export type S3Server = {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
};

/** The app's S3_* settings for a bucket on `server` (IMAGE_STORE=s3 is the caller's choice). */
export function s3Settings(server: S3Server): Record<string, string> {
  return {
    S3_BUCKET: server.bucket,
    S3_REGION: "us-east-1",
    S3_ENDPOINT: server.endpoint,
    S3_ACCESS_KEY_ID: server.accessKeyId,
    S3_SECRET_ACCESS_KEY: server.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
  };
}

/** s3rver: a real HTTP server speaking the S3 API (it does not check signatures). */
export async function startS3(
  bucket = "hemalink-test",
  { keepIn, listenOn = 0 }: { keepIn?: string; listenOn?: number } = {},
): Promise<S3Server> {
  const dir = keepIn
    ? (fs.mkdirSync(keepIn, { recursive: true }), keepIn)
    : fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: listenOn,
    silent: true,
    directory: dir,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = (await server.run()) as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    async stop() {
      await server.close();
      if (!keepIn) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
