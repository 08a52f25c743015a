import { fileURLToPath } from "node:url";
import { vitePlugin as remix } from "@remix-run/dev";
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

// One configuration for the build (the Remix plugin, with the options of remix.config.js) and both test projects (vitest runs
// without the plugin: it is for the dev server and production builds only).
export default defineConfig(({ isSsrBuild }) => ({
  plugins: process.env.VITEST ? [] : [remix(remixConfig)],
  resolve: { alias },
  build: isSsrBuild
    ? {}
    : {
        // Page weight (docs/decisions/053): terser's second pass makes every chunk 3–5 % smaller than
        // esbuild's minifier (the React and Remix chunk every page loads: 3.4 KB gzipped).
        minify: "terser",
        terserOptions: { compress: { passes: 3 }, ecma: 2020, module: true },
        // Leaflet's marker images stay image files: inlined as base64 they were 4.7 KB (gzipped) of
        // the map's script, which a phone must download and compile before the map can start, and
        // the 1× and 2× icons both, where the browser fetches the one its screen needs.
        assetsInlineLimit: (file) =>
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
          fileParallelism: false,
        },
      },
    ],
  },
}));
