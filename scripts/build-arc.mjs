// The Architect functions of app.arc (docs/decisions/063), from the production build
// (`npm run build` first): build/arc/http for every request, build/arc/scheduled/<job> for
// each housekeeping job. Each folder is what one Lambda ships: the handler bundled from
// server/*.ts, a copy of the Remix server build (and the client manifest it reads), and for
// the HTTP function the models and the list of the client build's files (served from @static).
import fs from "node:fs";
import path from "node:path";
import { build } from "esbuild";

const ROOT = process.cwd();
const OUT = path.join(ROOT, "build", "arc");
// The scheduled functions app.arc names (each one of app/housekeeping's jobs; a test keeps the
// two lists equal).
const JOBS = [
  ...fs.readFileSync("app.arc", "utf8").matchAll(/src build\/arc\/scheduled\/([\w-]+)/g),
].map((m) => m[1]);

if (!fs.existsSync("build/server/index.js")) {
  console.error("Run `npm run build` first (build:arc does).");
  process.exit(1);
}
fs.rmSync(OUT, { recursive: true, force: true });

/** One function's folder: the bundled handler beside a copy of the server build. */
async function functionFolder(dir, entry) {
  fs.mkdirSync(dir, { recursive: true });
  fs.cpSync("build/server", path.join(dir, "server"), { recursive: true });
  // The database client migrates on first use, from `migrations` beside the server bundle.
  fs.cpSync("db/migrations", path.join(dir, "server", "migrations"), { recursive: true });
  fs.mkdirSync(path.join(dir, ".vite"));
  fs.copyFileSync("build/.vite/client-manifest.json", path.join(dir, ".vite/client-manifest.json"));
  await build({
    entryPoints: [entry],
    outfile: path.join(dir, "index.mjs"),
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Packages come from node_modules (Architect installs them for a deploy); only the app's
    // own small modules the handler imports (the upload limits) are bundled in.
    packages: "external",
    alias: { "~": path.join(ROOT, "app") },
    logLevel: "warning",
  });
}

const http = path.join(OUT, "http");
await functionFolder(http, "server/lambda.ts");
fs.cpSync("public/models", path.join(http, "models"), { recursive: true });
const clientFiles = fs
  .readdirSync("build/client", { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => path.join(entry.parentPath, entry.name))
  .map((file) => `/${path.relative("build/client", file).split(path.sep).join("/")}`)
  .sort();
fs.writeFileSync(path.join(http, "client-files.json"), JSON.stringify(clientFiles));

for (const job of JOBS) {
  const dir = path.join(OUT, "scheduled", job);
  await functionFolder(dir, "server/scheduled.ts");
  fs.writeFileSync(path.join(dir, "job.json"), JSON.stringify({ job }));
}
console.info(`Architect functions in ${path.relative(ROOT, OUT)}: http, ${JOBS.join(", ")}`);
