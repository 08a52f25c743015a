import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForHealthy(url: string, server: ChildProcess, log: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`The server exited early:\n${log()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`The server did not become healthy in 30 s:\n${log()}`);
}

/**
 * The browser tests run against the production build (built by `npm run test:e2e`) on a
 * free port, with its own migrated and seeded temporary database.
 */
export default async function setup() {
  if (!fs.existsSync("build/index.js")) throw new Error("Run `npm run build` first.");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-e2e-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: path.join(dir, "e2e.db"),
    DATA_DIR: dir,
    SESSION_SECRET: crypto.randomBytes(32).toString("base64url"),
    // Per-account limits stay at their defaults; the per-IP ones would trip on a suite that
    // logs in from one address many times.
    RATE_LIMIT_LOGIN_PER_IP: "1000",
    RATE_LIMIT_REGISTER_PER_IP: "1000",
  };
  const seeded = spawnSync(process.execPath, ["--import", "tsx", "seed/setup.ts"], {
    env,
    encoding: "utf8",
  });
  if (seeded.status !== 0) throw new Error(`Seeding failed:\n${seeded.stdout}${seeded.stderr}`);

  let output = "";
  const server = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.on("data", (chunk) => (output += chunk));
  server.stderr!.on("data", (chunk) => (output += chunk));
  const baseUrl = `http://localhost:${port}`;
  await waitForHealthy(baseUrl, server, () => output);

  // Test files reach the same database and secret to create sessions and read rows.
  Object.assign(process.env, {
    E2E_BASE_URL: baseUrl,
    DATABASE_URL: env.DATABASE_URL,
    DATA_DIR: dir,
    SESSION_SECRET: env.SESSION_SECRET,
    NODE_ENV: "production",
    E2E_SERVER_LOG: path.join(dir, "server.log"),
  });

  return async () => {
    server.kill("SIGTERM");
    fs.writeFileSync(path.join(dir, "server.log"), output);
    if (process.env.E2E_KEEP !== "1") fs.rmSync(dir, { recursive: true, force: true });
  };
}
