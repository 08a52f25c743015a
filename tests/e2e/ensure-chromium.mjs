// The browser tests need Debian's Chromium. Install it when we are root (CI, fresh
// machines); otherwise stop with the exact command. Never skip the browser tests silently.
import { execFileSync } from "node:child_process";
import fs from "node:fs";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

if (fs.existsSync(CHROMIUM)) process.exit(0);

if (process.getuid?.() !== 0) {
  console.error(
    `Chromium is missing at ${CHROMIUM}. Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium\n(or set CHROMIUM_PATH) and run the tests again.`,
  );
  process.exit(1);
}

console.log("Installing Debian's chromium for the browser tests…");
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update"], { stdio: "inherit", env });
execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
  stdio: "inherit",
  env,
});
if (!fs.existsSync(CHROMIUM)) {
  console.error(`apt-get finished but ${CHROMIUM} is still missing.`);
  process.exit(1);
}
