/**
 * Which engine a benchmark runs the app on, and the servers it needs (docs/performance.md):
 *
 *   --engine sqlite     the embedded default: SQLite file and images on the local disk
 *   --engine postgres   PostgreSQL + PostGIS and S3-compatible object storage
 *
 * Without the flag, a `postgres://` DATABASE_URL chooses Postgres. On Postgres, the server of
 * DATABASE_URL is used when one is given (a database of its own is created there and dropped
 * at the end), otherwise a local cluster is started, durable like a production server (the
 * unit tests' clusters run without fsync). Images go to the bucket of IMAGE_STORE=s3 and the
 * S3_* variables when they are given, otherwise to an s3rver started here.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { isPostgresUrl, redactedUrl } from "#db/pg/client";
import { s3Client, s3Store } from "~/uploads/s3-store.server";
import type { AppServer } from "./app-server";
import { s3Settings, startPostgres, startS3 } from "./real-servers";

export type BenchEngine = "sqlite" | "postgres";

export function benchEngine(flag: string | undefined): BenchEngine {
  const engine = flag ?? (isPostgresUrl(process.env.DATABASE_URL) ? "postgres" : "sqlite");
  if (engine !== "sqlite" && engine !== "postgres") {
    throw new Error(`Bad --engine: ${engine} (sqlite or postgres)`);
  }
  return engine;
}

export type Backends = {
  engine: BenchEngine;
  /** What the app server's environment adds (database, image store). */
  env: Record<string, string>;
  /** One line for the benchmark's output: where the data lives. */
  description: string;
  /** Rows in `analyses` and complete image files in the store, for the integrity checks. */
  countAnalyses(server: AppServer): Promise<number>;
  countImageFiles(server: AppServer): Promise<number>;
  /** Bytes of the stored images, and of the database (SQLite: file and WAL after a checkpoint). */
  storedBytes(server: AppServer): Promise<{ images: number; database: number }>;
  /**
   * CPU ms used so far by the database server's processes (Postgres on this machine: the
   * postmaster and its backends, exited ones included), or undefined (SQLite runs in the
   * app's process; a remote server cannot be read).
   */
  databaseCpuMs(): number | undefined;
  stop(): Promise<void>;
};

const S3_VARIABLES = [
  "S3_BUCKET",
  "S3_REGION",
  "S3_ENDPOINT",
  "S3_ACCESS_KEY_ID",
  "S3_SECRET_ACCESS_KEY",
  "S3_FORCE_PATH_STYLE",
] as const;

export async function startBackends(engine: BenchEngine): Promise<Backends> {
  if (engine === "sqlite") {
    return {
      engine,
      env: { IMAGE_STORE: "file" },
      description: "SQLite (a temporary file) and the file image store",
      async countAnalyses(server) {
        const db = new Database(server.env.DATABASE_URL!, { readonly: true });
        try {
          return (db.prepare("select count(*) as n from analyses").get() as { n: number }).n;
        } finally {
          db.close();
        }
      },
      async countImageFiles(server) {
        const dir = path.join(server.dir, "images");
        if (!fs.existsSync(dir)) return 0;
        return fs
          .readdirSync(dir, { recursive: true })
          .filter((f) => /\.(jpg|png)$/.test(String(f))).length;
      },
      async storedBytes(server) {
        const db = new Database(server.env.DATABASE_URL!);
        try {
          db.pragma("wal_checkpoint(TRUNCATE)");
        } finally {
          db.close();
        }
        const dir = path.join(server.dir, "images");
        const images = fs.existsSync(dir)
          ? fs
              .readdirSync(dir, { recursive: true })
              .map((f) => fs.statSync(path.join(dir, String(f))))
              .filter((stat) => stat.isFile())
              .reduce((sum, stat) => sum + stat.size, 0)
          : 0;
        return { images, database: fs.statSync(server.env.DATABASE_URL!).size };
      },
      databaseCpuMs: () => undefined,
      async stop() {},
    };
  }

  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error) => console.error(error));
  };
  try {
    // ---- PostgreSQL: a database of its own ------------------------------------------
    const given = process.env.DATABASE_URL;
    const serverUrl = isPostgresUrl(given)
      ? given
      : await startPostgres({ durable: true }).then((started) => {
          stops.push(() => started.stop());
          return started.url;
        });
    const name = `hemalink_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    stops.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });
    // The postmaster: the parent of this connection's backend process, when it is local.
    const backend = await admin.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const postmaster = procStat(backend.rows[0]!.pid)?.ppid;
    const target = new URL(serverUrl);
    target.pathname = `/${name}`;
    const databaseUrl = target.toString();

    // ---- S3: the given bucket, or an s3rver -----------------------------------------
    let s3Env: Record<string, string>;
    if (process.env.IMAGE_STORE === "s3" && process.env.S3_BUCKET) {
      s3Env = Object.fromEntries(
        S3_VARIABLES.flatMap((key) => (process.env[key] ? [[key, process.env[key]!]] : [])),
      );
    } else {
      const s3 = await startS3("hemalink-bench");
      stops.push(() => s3.stop());
      s3Env = s3Settings(s3);
    }
    const settings = {
      bucket: s3Env.S3_BUCKET!,
      region: s3Env.S3_REGION ?? "us-east-1",
      endpoint: s3Env.S3_ENDPOINT,
      forcePathStyle: s3Env.S3_FORCE_PATH_STYLE === "true",
      credentials: s3Env.S3_ACCESS_KEY_ID
        ? { accessKeyId: s3Env.S3_ACCESS_KEY_ID, secretAccessKey: s3Env.S3_SECRET_ACCESS_KEY! }
        : undefined,
    };
    const store = s3Store(settings);
    const query = async (sql: string) => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        return Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
      } finally {
        await client.end();
      }
    };
    return {
      engine,
      env: { DATABASE_URL: databaseUrl, IMAGE_STORE: "s3", ...s3Env },
      description:
        `PostgreSQL ${redactedUrl(databaseUrl)}${isPostgresUrl(given) ? "" : " (started here, durable)"} ` +
        `and S3 bucket ${s3Env.S3_BUCKET}${s3Env.S3_ENDPOINT ? ` at ${s3Env.S3_ENDPOINT}` : ""}`,
      countAnalyses: () => query("select count(*) as n from analyses"),
      async countImageFiles() {
        const keys = await store.list();
        return keys.reduce((sum, key) => sum + key.complete.length, 0);
      },
      async storedBytes() {
        const { ListObjectsV2Command } = await import("@aws-sdk/client-s3");
        const client = await s3Client(settings);
        let images = 0;
        let ContinuationToken: string | undefined;
        do {
          const page = await client.send(
            new ListObjectsV2Command({ Bucket: settings.bucket, ContinuationToken }),
          );
          for (const object of page.Contents ?? []) images += object.Size ?? 0;
          ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (ContinuationToken);
        client.destroy();
        return {
          images,
          database: await query("select pg_database_size(current_database()) as n"),
        };
      },
      databaseCpuMs: () => (postmaster === undefined ? undefined : treeCpuMs(postmaster)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A process's parent and CPU (utime, stime; cutime, cstime of its reaped children) in ms. */
function procStat(pid: number) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const ticks = (i: number) => Number(fields[i]) * 10; // 100 Hz clock ticks
    return { ppid: Number(fields[1]), own: ticks(11) + ticks(12), reaped: ticks(13) + ticks(14) };
  } catch {
    return undefined;
  }
}

/** CPU of a process, of its live children and of the children it has reaped. */
function treeCpuMs(root: number): number | undefined {
  const parent = procStat(root);
  if (!parent) return undefined;
  let total = parent.own + parent.reaped;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const child = procStat(Number(entry));
    if (child?.ppid === root) total += child.own + child.reaped;
  }
  return total;
}
