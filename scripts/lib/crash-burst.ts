/**
 * kill -9 the production server in the middle of a burst of uploads, restart it on the same
 * data, and check what it kept (docs/decisions/034). Shared by `npm run test:crash` (50
 * uploads, several kills) and the suite's small-burst test (tests/e2e/crash.test.ts).
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import sharp from "sharp";
import { freePort } from "./app-server";

const IMAGE_FILES = ["heatmap.png", "original.jpg", "thumbnail.jpg"];

export type Server = { child: ChildProcess; baseUrl: string; output: () => string };

/** `node server.js` on the data folder of `env`, answering /healthz; its start-up sweep done. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  let output = "";
  const child = spawn(process.execPath, ["server.js"], { env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`The server did not start in 60 s:\n${output}`);
    const healthy = await fetch(`${baseUrl}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (healthy) return { child, baseUrl, output: () => output };
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function killHard(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => server.child.once("exit", () => resolve()));
  server.child.kill("SIGKILL");
  return exited;
}

/** A smear-like JPEG of ~200 KB (the same bytes for every upload; each has its own key). */
async function smearJpeg(): Promise<Buffer> {
  const width = 800;
  const height = 600;
  const pixels = Buffer.alloc(width * height * 3);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 30) - 15;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const cell = Math.hypot((x % 60) - 30, (y % 60) - 30) < 15;
      pixels[i] = (cell ? 110 : 232) + noise();
      pixels[i + 1] = (cell ? 60 : 198) + noise();
      pixels[i + 2] = (cell ? 160 : 214) + noise();
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

export type Check = {
  integrity: string;
  rows: number;
  /** Image folders on disk. */
  folders: number;
  pendingUploads: number;
  rowsWithoutFiles: number;
  foldersWithoutRow: number;
  debris: number;
  /** Uploads answered 2xx whose analysis is not in the database. */
  lostAcknowledged: number;
};

/** What the data folder holds, read straight from the database file and the disk. */
export function checkData(dir: string, acknowledged: Iterable<string>): Check {
  const db = new Database(path.join(dir, "app.db"), { readonly: true });
  try {
    const integrity = (db.pragma("integrity_check", { simple: true }) as string) ?? "";
    const keys = new Map(
      (
        db.prepare("select id, image_key from analyses").all() as {
          id: string;
          image_key: string;
        }[]
      ).map((r) => [r.image_key, r.id]),
    );
    const ids = new Set(keys.values());
    const pendingUploads = (
      db.prepare("select count(*) as n from uploads where analysis_id is null").get() as {
        n: number;
      }
    ).n;
    const root = path.join(dir, "images");
    const onDisk = new Map<string, string[]>();
    let debris = 0;
    for (const prefix of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      for (const key of fs.readdirSync(path.join(root, prefix))) {
        const folder = path.join(root, prefix, key);
        const complete: string[] = [];
        for (const name of fs.readdirSync(folder)) {
          const size = fs.statSync(path.join(folder, name)).size;
          if (IMAGE_FILES.includes(name) && size > 0) complete.push(name);
          else debris += 1;
        }
        onDisk.set(key, complete.sort());
      }
    }
    let rowsWithoutFiles = 0;
    for (const key of keys.keys()) {
      if ((onDisk.get(key) ?? []).join() !== IMAGE_FILES.join()) rowsWithoutFiles += 1;
    }
    const foldersWithoutRow = [...onDisk.keys()].filter((key) => !keys.has(key)).length;
    const lostAcknowledged = [...acknowledged].filter((id) => !ids.has(id)).length;
    return {
      integrity,
      rows: keys.size,
      folders: onDisk.size,
      pendingUploads,
      rowsWithoutFiles,
      foldersWithoutRow,
      debris,
      lostAcknowledged,
    };
  } finally {
    db.close();
  }
}

export const isConsistent = (c: Check) =>
  c.integrity === "ok" &&
  c.pendingUploads === 0 &&
  c.rowsWithoutFiles === 0 &&
  c.foldersWithoutRow === 0 &&
  c.debris === 0 &&
  c.lostAcknowledged === 0;

export type Round = {
  sent: number;
  retries: number;
  acknowledged: number;
  /** Answers that were not a 2xx (the socket cut by the kill). */
  failed: number;
  /** What the restarted server's start-up sweep reported. */
  recovery: string;
  check: Check;
};

export type CrashReport = {
  rounds: Round[];
  /** Retries of an acknowledged upload that got another analysis than the first time. */
  duplicatedReplays: number;
  /** Distinct upload keys at the end (each answered 2xx once): one analysis each. */
  keys: number;
  final: Check;
};

/**
 * `kills` rounds: start the server on the data folder, send `uploads` at once (with the
 * previous round's unanswered ones again, under their old keys, as a client would retry),
 * kill -9 it once a random share of them has been answered, restart, check.
 */
export async function crashBurst({
  uploads,
  kills,
  log = () => undefined,
}: {
  uploads: number;
  kills: number;
  log?: (line: string) => void;
}): Promise<CrashReport> {
  if (!fs.existsSync("build/server/index.js")) throw new Error("Run `npm run build` first.");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-crash-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(await freePort()),
    DATABASE_URL: path.join(dir, "app.db"),
    DATA_DIR: dir,
    SESSION_SECRET: crypto.randomBytes(32).toString("base64url"),
    SCRYPT_LOG_N: "12",
    RATE_LIMIT_UPLOADS_PER_ACCOUNT: "1000000",
    RATE_LIMIT_REGISTER_PER_IP: "1000",
    MAIL_TRANSPORT: "none",
  };
  const image = await smearJpeg();
  const acknowledged = new Map<string, string>(); // idempotency key → analysis id
  let unanswered: string[] = [];
  let duplicatedReplays = 0;
  const rounds: Round[] = [];
  let server = await startServer(env);
  try {
    // Four patients, registered through the real form once; their sessions outlive restarts.
    const cookies: string[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${server.baseUrl}/register`, {
        method: "POST",
        redirect: "manual",
        headers: { Origin: server.baseUrl, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          name: `Crash Patient ${i}`,
          email: `crash${i}@example.test`,
          password: "kill nine mid burst, then count",
        }),
      });
      const cookie = response.headers.get("set-cookie")?.split(";")[0];
      if (!cookie) throw new Error(`Could not register a patient: ${response.status}`);
      cookies.push(cookie);
    }
    const cookieOf = (key: string) => cookies[Number.parseInt(key.slice(-2), 16) % cookies.length]!;

    for (let round = 0; round < kills; round++) {
      const keys = [
        ...unanswered,
        ...Array.from({ length: uploads }, () => `crash-${crypto.randomUUID()}`),
      ];
      // Some acknowledged uploads again too: a client that lost the answer after the commit.
      const replays = [...acknowledged.keys()].slice(0, 3);
      const target = 1 + Math.floor(Math.random() * Math.max(1, Math.floor(keys.length * 0.6)));
      let answered = 0;
      let failed = 0;
      const kill: { done: Promise<void> | null } = { done: null };
      const send = async (key: string) => {
        const form = new FormData();
        form.set("smear", new Blob([new Uint8Array(image)], { type: "image/jpeg" }), "smear.jpg");
        try {
          const response = await fetch(`${server.baseUrl}/api/analyses`, {
            method: "POST",
            headers: { Origin: server.baseUrl, Cookie: cookieOf(key), "Idempotency-Key": key },
            body: form,
          });
          const body = (await response.json()) as { id?: string };
          if (response.status === 201 && body.id) {
            const first = acknowledged.get(key);
            if (first && first !== body.id) duplicatedReplays += 1;
            acknowledged.set(key, first ?? body.id);
            answered += 1;
            if (answered >= target && !kill.done) kill.done = killHard(server);
            return true;
          }
        } catch {
          // The connection was cut by the kill.
        }
        failed += 1;
        return false;
      };
      const results = await Promise.all([...keys, ...replays].map(send));
      await (kill.done ?? killHard(server));
      unanswered = keys.filter((key, i) => !results[i] && !acknowledged.has(key));
      server = await startServer(env);
      const recovery = /Upload recovery: (.*)/.exec(server.output())?.[1] ?? "(not reported)";
      const check = checkData(dir, acknowledged.values());
      rounds.push({
        sent: keys.length + replays.length,
        retries: keys.length - uploads + replays.length,
        acknowledged: answered,
        failed,
        recovery,
        check,
      });
      log(
        `round ${round + 1}: ${keys.length + replays.length} sent (${keys.length - uploads} retried after the last kill, ${replays.length} replays), kill -9 after ${answered} answers; ` +
          `restart swept ${recovery}; rows ${check.rows}, folders ${check.folders}, integrity ${check.integrity}, ` +
          `rows without files ${check.rowsWithoutFiles}, folders without row ${check.foldersWithoutRow}, debris ${check.debris}, pending ${check.pendingUploads}, acknowledged but lost ${check.lostAcknowledged}`,
      );
    }
    // Finally every upload a kill cut off, sent once more: each key ends with one analysis.
    await Promise.all(
      unanswered.map(async (key) => {
        const form = new FormData();
        form.set("smear", new Blob([new Uint8Array(image)], { type: "image/jpeg" }), "smear.jpg");
        const response = await fetch(`${server.baseUrl}/api/analyses`, {
          method: "POST",
          headers: { Origin: server.baseUrl, Cookie: cookieOf(key), "Idempotency-Key": key },
          body: form,
        });
        const body = (await response.json()) as { id?: string };
        if (response.status === 201 && body.id) acknowledged.set(key, body.id);
      }),
    );
    const final = checkData(dir, acknowledged.values());
    return { rounds, duplicatedReplays, keys: acknowledged.size, final };
  } finally {
    await killHard(server);
    if (process.env.CRASH_KEEP !== "1") fs.rmSync(dir, { recursive: true, force: true });
  }
}
