// The Architect functions of app.arc (docs/decisions/063), from the production build
// (`npm run build` first): build/arc/http for every request, build/arc/scheduled/<job> for
// each housekeeping job. Each folder is what one Lambda ships: one bundle of the handler from
// server/*.ts with the Remix server build (and the client manifest and migrations it reads),
// and for the HTTP function the models and the list of the client build's files (@static).
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

// Packages left to node_modules: the native ones (better-sqlite3, sharp; Architect installs
// them for a deploy), the AWS SDK (the S3 client, loaded only with IMAGE_STORE=s3, and the
// clients @architect/functions names for features not used here; Lambda's Node runtime has the
// SDK) and pg's optional native binding. Everything else, the server build included, is one
// module: loading one file instead of a few thousand is most of what a cold start saves
// (docs/decisions/071).
const EXTERNAL = ["better-sqlite3", "sharp", "@aws-sdk/*", "aws-sdk", "aws-sdk/*", "pg-native"];
const fromRoot = (file) => JSON.stringify(path.join(ROOT, file));

// One bundle for every function: the environment presets, the Remix server build and both
// handler factories, in that order (the build reads its environment when it loads).
const [bundle] = (
  await build({
    stdin: {
      contents: [
        `import ${fromRoot("server/lambda-env.ts")};`,
        `import * as build from ${fromRoot("build/server/index.js")};`,
        "export { build };",
        `export { createHandler } from ${fromRoot("server/lambda.ts")};`,
        `export { createScheduledHandler } from ${fromRoot("server/scheduled.ts")};`,
      ].join("\n"),
      resolveDir: ROOT,
      sourcefile: "functions.mjs",
      loader: "js",
    },
    outfile: path.join(OUT, "server", "index.mjs"),
    write: false,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: EXTERNAL,
    alias: { "~": path.join(ROOT, "app") },
    // The CommonJS packages inside an ES module still call require() for Node's own modules,
    // and the wasm backend's loader reads __dirname (its binary's path is set by the app).
    banner: {
      js: [
        'import { createRequire as __createRequire } from "node:module";',
        'import { dirname as __pathDirname } from "node:path";',
        'import { fileURLToPath as __fileURLToPath } from "node:url";',
        "const require = __createRequire(import.meta.url);",
        "const __filename = __fileURLToPath(import.meta.url);",
        "const __dirname = __pathDirname(__filename);",
      ].join(" "),
    },
    // Whitespace and syntax only: smaller to parse, names kept for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "warning",
  })
).outputFiles;

/**
 * One function's folder: the bundle as `server/index.mjs`, with the migrations and the client
 * manifest the server build reads beside it, and `index.mjs`, the handler Architect runs, made
 * by `factory` from the build.
 */
function functionFolder(dir, factory) {
  fs.mkdirSync(path.join(dir, "server"), { recursive: true });
  fs.writeFileSync(path.join(dir, "server", "index.mjs"), bundle.contents);
  // The database client migrates on first use, from `migrations` beside the server bundle.
  fs.cpSync("db/migrations", path.join(dir, "server", "migrations"), { recursive: true });
  fs.mkdirSync(path.join(dir, ".vite"));
  fs.copyFileSync("build/.vite/client-manifest.json", path.join(dir, ".vite/client-manifest.json"));
  fs.writeFileSync(
    path.join(dir, "index.mjs"),
    `import { build, ${factory} } from "./server/index.mjs";\nexport const handler = ${factory}(build);\n`,
  );
}

const http = path.join(OUT, "http");
functionFolder(http, "createHandler");
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
  functionFolder(dir, "createScheduledHandler");
  fs.writeFileSync(path.join(dir, "job.json"), JSON.stringify({ job }));
}
console.info(`Architect functions in ${path.relative(ROOT, OUT)}: http, ${JOBS.join(", ")}`);
