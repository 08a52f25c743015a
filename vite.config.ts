import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { vitePlugin as remix } from "@remix-run/dev";
import { minify } from "terser";
import type { ManualChunksOption } from "rollup";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import remixConfig from "./remix.config.js";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

// `#db/schema` is the engine's tables (db/tables.ts, docs/decisions/058), not the SQLite schema file.
const appDir = fileURLToPath(new URL("./app/", import.meta.url));
const alias = [
  { find: /^#db\/schema$/, replacement: fileURLToPath(new URL("./db/tables.ts", import.meta.url)) },
  { find: "~", replacement: fileURLToPath(new URL("./app", import.meta.url)) },
  { find: "#db", replacement: fileURLToPath(new URL("./db", import.meta.url)) },
];

/**
 * Page weight (docs/decisions/053): terser's passes after esbuild's minifier make the chunks pages
 * load 3–5 % smaller (the React and Remix chunk every page loads: 3.4 KB gzipped). Not the TF.js
 * chunk (fetched when private mode is chosen): at 1.9 MB it would take most of the build's time.
 */
const terserPageChunks = (): Plugin => ({
  name: "hemalink:terser-page-chunks",
  apply: "build",
  async generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== "chunk") continue;
      if (Object.keys(chunk.modules).some((id) => id.includes("/@tensorflow/"))) continue;
      const result = await minify(chunk.code, {
        compress: { passes: 2 },
        ecma: 2020,
        module: true,
      });
      if (result.code) chunk.code = result.code;
    }
  },
});

/**
 * Page requests (docs/decisions/085): the app's small leaf modules (vocabularies, labels, Vite's
 * preload helper: modules that import nothing) in one shared chunk instead of one chunk each. A
 * page's scripts come over the six connections of HTTP/1.1, and on a phone's network each
 * request pays the full latency: the finder's first visit needed three waves of requests before
 * the map, for modules of 130–650 bytes. Leaves only, so no dependency is pulled along with them.
 */
const SMALL_LEAF_BYTES = 300;
const sharedLeaves: ManualChunksOption = (id, { getModuleInfo }) => {
  const info = getModuleInfo(id);
  if (!info || info.isEntry || info.importedIds.length > 0 || info.dynamicImporters.length > 0)
    return;
  if (id === "\0vite/preload-helper.js") return "shared";
  const small = (info.code?.length ?? Infinity) < SMALL_LEAF_BYTES;
  if (id.startsWith(appDir) && /\.tsx?$/.test(id) && !id.includes("/routes/") && small)
    return "shared";
};

/** Tests of SQLite itself, which the Postgres run of the unit suite leaves out (decision 058). */
const SQLITE_ONLY = [
  "tests/backup/backup.test.ts", // copies the SQLite file; refuses on Postgres
  "tests/db/doctor-status-migration.test.ts", // a SQLite migration's table rebuild
  "tests/db/pg-schema.test.ts", // compares both schemas on its own Postgres database
  "tests/doctors/search.test.ts", // the R*Tree search and its triggers
  "tests/doctors/search-postgis.test.ts", // the oracle: runs both engines by itself
  "tests/security/disk-sync.test.ts", // SQLite's synchronous pragma
  // These read SQLite through its raw client (sqlite_master, the R*Tree, SQLite's triggers and a
  // migration's backfill); their services run on Postgres in the route tests.
  "tests/audit.test.ts",
  "tests/housekeeping.test.ts",
  "tests/doctors/reply-time.test.ts",
  "tests/doctors/verification.test.ts",
  // The lab job process on the file store (the embedded default's layout on disk); its S3 twin
  // runs on Postgres, the scaled configuration. Each starts the real process twice (~75 s).
  "tests/lab/job-process.test.ts",
];
/** The scaled configuration's lab job process (Postgres + S3), left out of the SQLite project. */
const POSTGRES_ONLY = ["tests/lab/job-process-s3.test.ts"];

/**
 * The browser stories that also run on Postgres + S3 (docs/decisions/070): the ones whose
 * server reads and writes the database and the image store. Not: the every-page layout and
 * screenshot checks, private mode (in the browser), the HTTP layer's own files (page cache,
 * proxy, forms without JavaScript), the SQLite backup, the crash test of the file store, and
 * the model lab (its stores on S3 are covered by tests/lab, decisions 076 and 078).
 */
const SCALED_STORIES = [
  "tests/e2e/analyses.test.ts",
  "tests/e2e/account-data.test.ts",
  "tests/e2e/consultations.test.ts",
  "tests/e2e/review-workstation.test.ts",
  "tests/e2e/clinic.test.ts",
];
/** Browser tests that need Postgres + S3 and run only in that pass. */
const SCALED_ONLY = ["tests/e2e/two-instances.test.ts"];

/**
 * Not for the unit projects: the browser tests, and *.build.test.ts, which read the production
 * build and run with the browser tests, after it.
 */
const NOT_UNIT = ["tests/e2e/**", "tests/**/*.build.test.ts", "node_modules/**"];
/** How both unit projects run, on SQLite and on PostgreSQL. */
const UNIT_RUN = {
  setupFiles: ["tests/setup/unit.ts"],
  globalSetup: ["tests/setup/global-db.ts", "tests/setup/global-servers.ts"],
  // Vitest leaves one core to its main process, which only waits for the forks: on a
  // two-core machine that ran every file in one fork (docs/decisions/055).
  maxWorkers: availableParallelism(),
  testTimeout: 30_000,
};

// One configuration for the build (the Remix plugin, with the options of remix.config.js) and both test projects (vitest runs
// without the plugin: it is for the dev server and production builds only).
export default defineConfig(({ isSsrBuild }) => ({
  plugins: process.env.VITEST
    ? []
    : [remix(remixConfig), ...(isSsrBuild ? [] : [terserPageChunks()])],
  resolve: { alias },
  build: {
    // Remix then keeps the client's manifest as build/.vite/client-manifest.json (not served): the
    // server reads the map chunk's name from it to preload it on pages with a map
    // (app/map/preload.server.ts).
    manifest: true,
    rollupOptions: isSsrBuild ? {} : { output: { manualChunks: sharedLeaves } },
    // Leaflet's marker images stay image files: inlined as base64 they were 4.7 KB (gzipped) of
    // the map's script, which a phone must download and compile before the map can start, and
    // the 1× and 2× icons both, where the browser fetches the one its screen needs.
    // The offline map's data (app/map/*.json) stays files too: fetched when needed, never
    // inside a script (the index of the detailed outlines is 2.7 KB, under Vite's inline limit).
    assetsInlineLimit: (file: string) =>
      /[\\/]leaflet[\\/]dist[\\/]images[\\/]/.test(file) ||
      /[\\/]app[\\/]map[\\/][^\\/]+\.json(\?|$)/.test(file)
        ? false
        : undefined,
  },
  ssr: { noExternal: [/^remix-auth/, /^@conform-to\//] },
  test: {
    globals: true,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/**/*.test.{ts,tsx}", "app/**/*.test.{ts,tsx}"],
          exclude: [...NOT_UNIT, ...POSTGRES_ONLY],
          ...UNIT_RUN,
        },
      },
      {
        // The same route and service tests on PostgreSQL + PostGIS (docs/decisions/058): each
        // file on a fresh database copied from the migrated template. Left out: tests that touch
        // no database (the model, the classifier, the place table, the import graph, pure
        // helpers) and those of SQLite itself (its file backup, its migrations and triggers read
        // through the raw client, its pragmas, the R*Tree search, which the PostGIS oracle test
        // compares).
        extends: true,
        test: {
          name: "unit-pg",
          include: ["tests/**/*.test.{ts,tsx}"],
          exclude: [
            ...NOT_UNIT,
            "tests/classifier/**",
            "tests/model/**",
            "tests/geo/**",
            "tests/architecture/**",
            "tests/performance/**",
            "tests/http/**",
            ...SQLITE_ONLY,
          ],
          env: { TEST_DATABASE: "postgres" },
          ...UNIT_RUN,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts", "tests/**/*.build.test.ts"],
          exclude: [...SCALED_ONLY, "node_modules/**"],
          globalSetup: ["tests/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A page's reaction (a redraw, a synced pan) can take over a second on a loaded
          // machine; a poll that waits for it gives up after 5 s instead of 1 s.
          expect: { poll: { timeout: 5_000 } },
          fileParallelism: false,
        },
      },
      {
        // The user stories again on PostgreSQL + PostGIS and S3 (npm run test:e2e:scaled,
        // docs/decisions/070): one cluster and one s3rver for the pass, the production server on
        // them, and the two-instance story.
        extends: true,
        test: {
          name: "e2e-scaled",
          include: [...SCALED_STORIES, ...SCALED_ONLY],
          globalSetup: ["tests/e2e/global-setup-scaled.ts"],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          expect: { poll: { timeout: 5_000 } },
          fileParallelism: false,
        },
      },
      {
        // The serverless build under Architect's sandbox (docs/decisions/071), after the build:
        // `npm run test:serverless`. Every request is a new Lambda process there.
        extends: true,
        test: {
          name: "serverless",
          include: ["tests/serverless/**/*.serverless.ts"],
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
}));
