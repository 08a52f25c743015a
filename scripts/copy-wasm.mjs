// Copy tfjs-backend-wasm's WebAssembly binaries into public/ for the browser (on-device mode).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const dist = path.dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
const target = path.join("public", "vendor", "tfjs-wasm");
fs.mkdirSync(target, { recursive: true });
for (const file of fs.readdirSync(dist).filter((f) => f.endsWith(".wasm"))) {
  fs.copyFileSync(path.join(dist, file), path.join(target, file));
}
