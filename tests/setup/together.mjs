#!/usr/bin/env node
// Runs the commands given as arguments at the same time (each through the shell) and fails if
// any of them fails. Each command's output is held back and printed in one piece when it ends,
// with how long it took, so the log reads as if they had run one after the other.
// `npm test` uses it for stages that leave a core idle when run alone (docs/decisions/075).
import { spawn } from "node:child_process";

const commands = process.argv.slice(2);
if (commands.length === 0) {
  console.error('Usage: node tests/setup/together.mjs "<command>" "<command>" …');
  process.exit(2);
}

const started = Date.now();
const results = await Promise.all(
  commands.map(
    (command) =>
      new Promise((resolve) => {
        const begin = Date.now();
        const child = spawn(command, { shell: true, stdio: ["ignore", "pipe", "pipe"] });
        const chunks = [];
        child.stdout.on("data", (chunk) => chunks.push(chunk));
        child.stderr.on("data", (chunk) => chunks.push(chunk));
        child.on("error", (error) => chunks.push(Buffer.from(`${error.message}\n`)));
        child.on("close", (code, signal) => {
          const seconds = ((Date.now() - begin) / 1000).toFixed(0);
          process.stdout.write(`\n> ${command}\n`);
          process.stdout.write(Buffer.concat(chunks));
          const outcome = code === 0 ? "passed" : `failed (${signal ?? `exit code ${code}`})`;
          process.stdout.write(`< ${command}: ${outcome} after ${seconds} s\n`);
          resolve(code === 0);
        });
      }),
  ),
);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
const failed = results.filter((ok) => !ok).length;
console.log(
  failed === 0
    ? `${commands.length} commands passed together in ${seconds} s`
    : `${failed} of ${commands.length} commands failed (${seconds} s)`,
);
process.exit(failed === 0 ? 0 : 1);
