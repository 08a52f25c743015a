/**
 * What every Architect function sets before the server build is evaluated (the build reads its
 * environment once, when it loads): `npm run build:arc` bundles this module first, then the
 * server build, then the handler factories (docs/decisions/071).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The function's folder: the bundle is `server/index.mjs` in it. */
export const FUNCTION_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// Architect names the stage in NODE_ENV (testing, staging, production); the build is a
// production build whatever the stage, and the app accepts development, production or test.
process.env.NODE_ENV = "production";
// The long-lived server's timer never runs here: the jobs are `@scheduled` functions.
process.env.HOUSEKEEPING_INTERVAL_SECONDS = "0";
// The HTTP function ships the models in its folder (public/models, copied by the build).
const models = path.join(FUNCTION_DIR, "models");
if (fs.existsSync(models)) process.env.MODELS_DIR ??= models;
