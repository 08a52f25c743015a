import fs from "node:fs";
import path from "node:path";
import { startAppServer } from "../../scripts/lib/app-server";

/** One production server with its own seeded database for all browser tests. */
export default async function setup() {
  const server = await startAppServer({
    // Per-account back-off stays at its defaults; the per-IP limits would trip on a suite
    // that fails logins and registers from one address many times.
    RATE_LIMIT_LOGIN_FAILURES_PER_IP: "1000",
    RATE_LIMIT_REGISTER_PER_IP: "1000",
  });
  // Test files reach the same database and secret to create sessions and read rows.
  Object.assign(process.env, {
    E2E_BASE_URL: server.baseUrl,
    DATABASE_URL: server.env.DATABASE_URL,
    DATA_DIR: server.dir,
    SESSION_SECRET: server.env.SESSION_SECRET,
    NODE_ENV: "production",
  });

  return async () => {
    await server.stop();
    fs.writeFileSync(path.join(server.dir, "server.log"), server.output());
    if (process.env.E2E_KEEP !== "1") fs.rmSync(server.dir, { recursive: true, force: true });
  };
}
