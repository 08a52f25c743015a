// npm run bench:requests [-- --seconds 20 --clients 8,32 --engine sqlite|postgres]
// Requests per second and latency of the finder (/doctors with a location) and the home page
// against the production build, keep-alive clients accepting compression like a browser,
// with the server's CPU per request. The load generator shares the machine's cores.
// --engine postgres runs the app on PostgreSQL + S3 (scripts/lib/bench-engine.ts).
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { startAppServer } from "./lib/app-server";
import { benchEngine, startBackends } from "./lib/bench-engine";
import { printLoadAverage, runLoad } from "./lib/load";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    clients: { type: "string", default: "8,32" },
    engine: { type: "string" },
  },
});
const engine = benchEngine(values.engine);
const seconds = Number(values.seconds);
const clientCounts = values.clients.split(",").map(Number);

printLoadAverage();
const backends = await startBackends(engine);
console.log(`Engine: ${backends.description}`);
const server = await startAppServer(backends.env).catch(async (error) => {
  await backends.stop();
  throw error;
});
const serverCpuMs = () => {
  const fields = fs
    .readFileSync(`/proc/${server.process.pid}/stat`, "utf8")
    .split(") ")[1]!
    .split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 100 Hz ticks
};
try {
  const results = [];
  for (const path of ["/doctors?lat=48.8566&lng=2.3522", "/"]) {
    await runLoad(server.baseUrl, path, { clients: 8, seconds: 2 }); // warm up
    for (const clients of clientCounts) {
      const cpu0 = serverCpuMs();
      const database0 = backends.databaseCpuMs();
      const result = await runLoad(server.baseUrl, path, { clients, seconds });
      const cpuPerRequest = (serverCpuMs() - cpu0) / Math.max(1, result.requests);
      const database1 = backends.databaseCpuMs();
      const databasePerRequest =
        database0 !== undefined && database1 !== undefined
          ? Number(((database1 - database0) / Math.max(1, result.requests)).toFixed(2))
          : undefined;
      const row = {
        path,
        ...result,
        server_cpu_ms_per_request: Number(cpuPerRequest.toFixed(2)),
        ...(databasePerRequest !== undefined && {
          database_cpu_ms_per_request: databasePerRequest,
        }),
      };
      results.push(row);
      console.log(
        `${path.padEnd(32)} ${String(clients).padStart(2)} clients  ${result.requests_per_s} req/s  p50 ${result.p50_ms} ms  p95 ${result.p95_ms} ms  p99 ${result.p99_ms} ms  ${result.errors} errors  server CPU ${row.server_cpu_ms_per_request} ms/request${databasePerRequest !== undefined ? `, Postgres ${databasePerRequest} ms/request` : ""}`,
      );
    }
  }
  console.log(
    JSON.stringify({
      engine,
      results,
      load_average: os.loadavg().map((n) => Number(n.toFixed(2))),
    }),
  );
  if (results.some((r) => r.errors > 0)) process.exitCode = 1;
} finally {
  await server.stop();
  fs.rmSync(server.dir, { recursive: true, force: true });
  await backends.stop();
}
