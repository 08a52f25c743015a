// The tests need two things from Debian: PostgreSQL 15 + PostGIS (the unit tests' throw-away
// cluster, tests/setup/global-servers.ts) and Chromium (the browser tests). Name the ones you
// need (`postgres`, `chromium`); what is missing is installed in one apt-get call when we are
// root (CI, fresh machines); otherwise stop with the exact command. Never skip those tests.
// It needs nothing from node_modules, so CI runs it while `npm ci` runs.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const NEEDS = {
  postgres: {
    files: [path.join(PG_BIN, "postgres"), "/usr/share/postgresql/15/extension/postgis.control"],
    packages: ["postgresql-15", "postgresql-15-postgis-3"],
    otherwise: "or set PG_BIN",
  },
  chromium: { files: [CHROMIUM], packages: ["chromium"], otherwise: "or set CHROMIUM_PATH" },
};

const names = process.argv.slice(2);
const unknown = names.filter((name) => !(name in NEEDS));
if (names.length === 0 || unknown.length > 0) {
  console.error(`Usage: node tests/setup/ensure-debian.mjs ${Object.keys(NEEDS).join(" | ")}...`);
  process.exit(2);
}
const missingFiles = (name) => NEEDS[name].files.filter((file) => !fs.existsSync(file));
const missing = names.filter((name) => missingFiles(name).length > 0);
if (missing.length === 0) process.exit(0);

const packages = missing.flatMap((name) => NEEDS[name].packages);
if (process.getuid?.() !== 0) {
  console.error(
    `Missing: ${missing.flatMap(missingFiles).join(", ")}. Install it with:\n` +
      `  sudo apt-get update && sudo apt-get install -y ${packages.join(" ")}\n` +
      `(${missing.map((name) => NEEDS[name].otherwise).join("; ")}) and run the tests again.`,
  );
  process.exit(1);
}

console.log(`Installing Debian's ${packages.join(" ")} for the tests…`);
const started = Date.now();
if (missing.includes("postgres")) {
  // The tests start their own cluster: no system cluster to create and leave running.
  const createcluster = "/etc/postgresql-common/createcluster.conf";
  if (!fs.existsSync(createcluster)) {
    fs.mkdirSync(path.dirname(createcluster), { recursive: true });
    fs.writeFileSync(createcluster, "create_main_cluster = false\n");
  }
}
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...packages], {
  stdio: "inherit",
  env,
});
const still = missing.flatMap(missingFiles);
if (still.length > 0) {
  console.error(`apt-get finished but ${still.join(", ")} is still missing.`);
  process.exit(1);
}
console.log(`Installed in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
