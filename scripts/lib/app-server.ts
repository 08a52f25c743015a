import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { MALLOC_ARENA_MAX, SEMI_SPACE_FLAG } from "~/capacity/process-settings.server";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * V8 flags the server runs with, as in `npm run serve` and `npm start`: young-generation
 * semi-spaces of at most 4 MB (docs/decisions/041-young-generation.md).
 */
export const SERVER_NODE_FLAGS = [SEMI_SPACE_FLAG];

/**
 * The environment the server starts with, as in `npm run serve` and `npm start`: at most two
 * glibc malloc arenas (docs/decisions/079-memory-per-instance.md). glibc reads it when the
 * process starts, so it goes into the child's environment; a value already set wins (an A/B
 * run sets 16, glibc's own limit on two cores, to measure without it).
 */
export const SERVER_ENV = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX || MALLOC_ARENA_MAX };

/** `seed/setup.ts` (migrate, then the demo data when the database is empty) with `env`. */
async function seed(env: NodeJS.ProcessEnv): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", "seed/setup.ts"], { env });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", resolve);
  });
  if (code !== 0) throw new Error(`Seeding failed:\n${output}`);
}

export type AppServer = {
  baseUrl: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
};

/**
 * The production build (`npm run build` first) on a free port with its own temporary,
 * migrated and seeded database. Used by the browser tests and the load benchmarks.
 * `seed: false` starts another instance on a database already set up; `cwd` runs it from
 * another folder (server.js finds the build beside itself).
 */
export async function startAppServer(
  extraEnv: Record<string, string> = {},
  options: { nodeArgs?: string[]; ipc?: boolean; seed?: boolean; cwd?: string } = {},
): Promise<AppServer> {
  if (!fs.existsSync("build/server/index.js")) throw new Error("Run `npm run build` first.");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-server-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...SERVER_ENV,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: path.join(dir, "app.db"),
    DATA_DIR: dir,
    SESSION_SECRET: crypto.randomBytes(32).toString("base64url"),
    ...extraEnv,
    NODE_ENV: "production",
  };
  // Not spawnSync: the caller's event loop may be serving what the seed talks to (an S3
  // server started in the same process, as the browser tests' global setup does).
  if (options.seed !== false) await seed(env);

  let output = "";
  const nodeArgs = [...SERVER_NODE_FLAGS, ...(options.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, path.resolve("server.js")], {
    env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe", ...(options.ipc ? (["ipc"] as const) : [])],
  });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const baseUrl = `http://localhost:${port}`;

  // Seeding and start-up share the machine with other work: a loaded machine needs longer.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`The server did not start in 120 s:\n${output}`);
    const healthy = await fetch(`${baseUrl}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (healthy) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    baseUrl,
    dir,
    env,
    process: child,
    output: () => output,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
