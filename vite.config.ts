import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { vitePlugin as remix } from "@remix-run/dev";
import { minify } from "terser";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import remixConfig from "./remix.config.js";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

const alias = {
  "~": fileURLToPath(new URL("./app", import.meta.url)),
  "#db": fileURLToPath(new URL("./db", import.meta.url)),
};

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
    // Leaflet's marker images stay image files: inlined as base64 they were 4.7 KB (gzipped) of
    // the map's script, which a phone must download and compile before the map can start, and
    // the 1× and 2× icons both, where the browser fetches the one its screen needs.
    assetsInlineLimit: (file: string) =>
      /[\\/]leaflet[\\/]dist[\\/]images[\\/]/.test(file) ? false : undefined,
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
          // *.build.test.ts read the production build: they run with the browser tests, after it.
          exclude: ["tests/e2e/**", "tests/**/*.build.test.ts", "node_modules/**"],
          setupFiles: ["tests/setup/unit.ts"],
          globalSetup: ["tests/setup/global-db.ts", "tests/setup/global-servers.ts"],
          // Vitest leaves one core to its main process, which only waits for the forks: on a
          // two-core machine that ran every file in one fork (docs/decisions/055).
          maxWorkers: availableParallelism(),
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["tests/e2e/**/*.test.ts", "tests/**/*.build.test.ts"],
          globalSetup: ["tests/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A page's reaction (a redraw, a synced pan) can take over a second on a loaded
          // machine; a poll that waits for it gives up after 5 s instead of 1 s.
          expect: { poll: { timeout: 5_000 } },
          fileParallelism: false,
        },
      },
    ],
  },
}));
