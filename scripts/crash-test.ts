// npm run test:crash [-- --uploads 50 --kills 4]
// kill -9 the production server in the middle of bursts of concurrent uploads, restart it on
// the same data, and count: integrity check, rows without files, files without rows, debris,
// acknowledged uploads lost, retries that duplicated. Exits 1 on any inconsistency.
import os from "node:os";
import { parseArgs } from "node:util";
import { crashBurst, isConsistent } from "./lib/crash-burst";

const { values } = parseArgs({
  options: {
    uploads: { type: "string", default: "50" },
    kills: { type: "string", default: "4" },
  },
});
const uploads = Number(values.uploads);
const kills = Number(values.kills);
console.log(
  `${kills} kills during bursts of ${uploads} concurrent uploads (load average ${os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")}, ${os.cpus().length} cores)`,
);
const started = Date.now();
const report = await crashBurst({ uploads, kills, log: (line) => console.log(`  ${line}`) });
const { final } = report;
const ok =
  report.rounds.every((round) => isConsistent(round.check)) &&
  isConsistent(final) &&
  report.duplicatedReplays === 0 &&
  final.rows === report.keys;
console.log(
  `After the last restart and a retry of every upload a kill cut off: ${report.keys} uploads, ${final.rows} analyses, ${final.folders} image folders; ` +
    `integrity ${final.integrity}; rows without files ${final.rowsWithoutFiles}; folders without a row ${final.foldersWithoutRow}; ` +
    `debris ${final.debris}; acknowledged but lost ${final.lostAcknowledged}; retries that duplicated ${report.duplicatedReplays} ` +
    `(${((Date.now() - started) / 1000).toFixed(0)} s) — ${ok ? "consistent" : "INCONSISTENT"}`,
);
console.log(JSON.stringify(report));
if (!ok) process.exitCode = 1;
