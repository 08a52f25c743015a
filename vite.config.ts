import { availableParallelism } from "node:os";
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
export default defineConfig({
  plugins: process.env.VITEST ? [] : [remix(remixConfig)],
  resolve: { alias },
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
          exclude: ["tests/e2e/**", "node_modules/**"],
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
          include: ["tests/e2e/**/*.test.ts"],
          globalSetup: ["tests/e2e/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
