// The unit tests run the Postgres tests on a throw-away PostgreSQL 15 + PostGIS cluster
// (tests/setup/global-servers.ts). Install Debian's packages when we are root (CI, fresh
// machines); otherwise stop with the exact command. Never skip the Postgres tests silently.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const POSTGIS = "/usr/share/postgresql/15/extension/postgis.control";
const PACKAGES = ["postgresql-15", "postgresql-15-postgis-3"];

const installed = () => fs.existsSync(path.join(PG_BIN, "postgres")) && fs.existsSync(POSTGIS);
if (installed()) process.exit(0);

if (process.getuid?.() !== 0) {
  console.error(
    `PostgreSQL 15 with PostGIS is missing (${PG_BIN}/postgres, ${POSTGIS}). Install it with:\n` +
      `  sudo apt-get update && sudo apt-get install -y ${PACKAGES.join(" ")}\n` +
      "(or set PG_BIN) and run the tests again.",
  );
  process.exit(1);
}

console.log(`Installing Debian's ${PACKAGES.join(" ")} for the Postgres tests…`);
const started = Date.now();
// The tests start their own cluster: no system cluster to create and leave running.
const createcluster = "/etc/postgresql-common/createcluster.conf";
if (!fs.existsSync(createcluster)) {
  fs.mkdirSync(path.dirname(createcluster), { recursive: true });
  fs.writeFileSync(createcluster, "create_main_cluster = false\n");
}
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...PACKAGES], {
  stdio: "inherit",
  env,
});
if (!installed()) {
  console.error(`apt-get finished but ${PG_BIN}/postgres or PostGIS is still missing.`);
  process.exit(1);
}
console.log(`Installed in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
