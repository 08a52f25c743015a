// `npm start` on a developer's machine: the production build with a local session secret
// kept under data/ when SESSION_SECRET is not set. Real deployments set SESSION_SECRET and
// run `npm run serve` (server.js), which refuses to start without it.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";

if (!process.env.SESSION_SECRET) {
  const file = path.join(process.env.DATA_DIR ?? "data", "session-secret");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  process.env.SESSION_SECRET = fs.readFileSync(file, "utf8").trim();
  console.info(`Using the local session secret in ${file} (set SESSION_SECRET in production).`);
}
process.env.NODE_ENV ??= "production";
await import("../server.js");
