import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { startAppServer } from "../../scripts/lib/app-server";
import { startMailbox } from "./mailbox";

/**
 * One production server with its own seeded database for all browser tests: on the embedded
 * default here, on Postgres + S3 with `engineEnv` (tests/e2e/global-setup-scaled.ts). Test files
 * reach the same database, image store and secret through the environment it leaves.
 */
export async function startBrowserServer(engineEnv: Record<string, string> = {}) {
  // Password hashing at the unit tests' cost, for the server, its seed, the servers some files
  // start themselves and the accounts the tests make: at the production cost (N = 2^16, p = 2)
  // each registration, login and made account took 0.3–0.6 s of a loaded core. Stored hashes
  // carry their parameters, so nothing a browser sees depends on the cost.
  process.env.SCRYPT_LOG_N = "10";
  // E-mail goes out through a real SMTP server into a folder the tests read.
  const mailboxDir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-mailbox-"));
  const mailbox = await startMailbox(mailboxDir);
  // The lab's stories promote and roll back: on a copy of the shipped models, never the
  // repository's own folder.
  const modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-models-"));
  fs.cpSync(path.join(process.cwd(), "public", "models"), modelsDir, { recursive: true });
  const server = await startAppServer({
    MODELS_DIR: modelsDir,
    MAIL_TRANSPORT: "smtp",
    SMTP_URL: mailbox.url,
    // Per-account back-off stays at its defaults; the per-IP limits would trip on a suite
    // that fails logins and registers from one address many times.
    RATE_LIMIT_LOGIN_FAILURES_PER_IP: "1000",
    RATE_LIMIT_REGISTER_PER_IP: "1000",
    ...engineEnv,
  });
  Object.assign(process.env, {
    ...engineEnv,
    E2E_BASE_URL: server.baseUrl,
    DATABASE_URL: server.env.DATABASE_URL,
    DATA_DIR: server.dir,
    SESSION_SECRET: server.env.SESSION_SECRET,
    NODE_ENV: "production",
    E2E_MAILBOX: mailboxDir,
    MODELS_DIR: modelsDir,
  });

  return async () => {
    await server.stop();
    await mailbox.stop();
    fs.rmSync(mailboxDir, { recursive: true, force: true });
    fs.rmSync(modelsDir, { recursive: true, force: true });
    fs.writeFileSync(path.join(server.dir, "server.log"), server.output());
    if (process.env.E2E_KEEP !== "1") fs.rmSync(server.dir, { recursive: true, force: true });
  };
}

export default function setup() {
  return startBrowserServer();
}
