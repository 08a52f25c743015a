import http from "node:http";
import os from "node:os";

/** The machine's load average, printed before each benchmark: its figures depend on it. */
export function printLoadAverage() {
  console.log(
    `Load average ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")} (2 cores shared)`,
  );
}

export type LoadResult = {
  clients: number;
  seconds: number;
  requests: number;
  requests_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  errors: number;
  statuses: Record<string, number>;
};

export const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * `clients` keep-alive connections each sending GET `path` back to back for `seconds`, as a
 * browser would (gzip accepted); the body is read and dropped. Bounded in time, loopback only.
 */
export async function runLoad(
  baseUrl: string,
  path: string,
  {
    clients,
    seconds,
    headers = {},
  }: { clients: number; seconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const url = new URL(path, baseUrl);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) throw new Error("Loopback only");
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const request = http.get(
        url,
        { agent, headers: { "Accept-Encoding": "gzip, deflate, br", ...headers } },
        (response) => {
          response.on("data", () => undefined);
          response.on("end", () => {
            latencies.push(performance.now() - t0);
            const status = String(response.statusCode);
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (response.statusCode !== 200) errors++;
            resolve();
          });
        },
      );
      request.on("error", () => {
        errors++;
        resolve();
      });
    });
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    clients,
    seconds: round(elapsed),
    requests: latencies.length,
    requests_per_s: round(latencies.length / elapsed),
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
    p99_ms: round(percentile(latencies, 99)),
    errors,
    statuses,
  };
}
