import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { freePort } from "../../scripts/lib/app-server";
import { checkData, isConsistent, killHard, startServer } from "../../scripts/lib/crash-burst";
import { makeUser, sessionCookieFor } from "../helpers";
import { baseUrl } from "./browser";

const run = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, ["--import", "tsx", script, ...args], { env, encoding: "utf8" });

/** The same, without blocking this process: uploads go on while it runs. */
function runAsync(script: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (status) => resolve({ status, stdout, stderr })),
  );
}

async function upload(cookie: string, seed: number) {
  const form = new FormData();
  form.set("smear", new Blob([new Uint8Array(await smear(seed))], { type: "image/jpeg" }), "s.jpg");
  return fetch(`${baseUrl()}/api/analyses`, {
    method: "POST",
    headers: { Origin: baseUrl(), Cookie: cookie },
    body: form,
  });
}

async function smear(seed: number) {
  const { data, info } = await sharp({
    create: { width: 320, height: 240, channels: 3, background: { r: 232, g: 198, b: 214 } },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i += 3 * 97) data[i] = (seed * 31 + i) % 255;
  return sharp(data, { raw: info }).jpeg().toBuffer();
}

describe("npm run backup while the app runs, then npm run restore into a fresh directory", () => {
  test("a backup taken during uploads restores consistent, and a server on it serves the same analyses and images", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const ids: string[] = [];
    for (const seed of [1, 2]) {
      const response = await upload(cookie, seed);
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const original = async (url: string, id: string) =>
      Buffer.from(
        await (
          await fetch(`${url}/analyses/${id}/image/original`, { headers: { Cookie: cookie } })
        ).arrayBuffer(),
      );

    const folder = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-backup-")), "nightly");
    // Another patient keeps uploading while the backup runs.
    const busy = await sessionCookieFor((await makeUser("patient")).id);
    const during = Promise.all([3, 4, 5, 6].map((seed) => upload(busy, seed)));
    const [backup, answers] = await Promise.all([
      runAsync("scripts/backup.ts", [folder], process.env),
      during,
    ]);
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(backup.stderr).toBe("");
    expect(backup.stdout).toMatch(/Backed up .* analyses, .* image files/);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, "manifest.json"), "utf8"));
    expect(manifest.counts.analyses).toBeGreaterThanOrEqual(2);

    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "hemalink-restored-"));
    const env = {
      ...process.env,
      DATABASE_URL: path.join(fresh, "app.db"),
      DATA_DIR: fresh,
      HOST: "127.0.0.1",
      PORT: String(await freePort()),
    };
    const restore = run("scripts/restore.ts", [folder], env);
    expect(restore.stdout).toMatch(/Restored the backup .* all checksums verified/);
    // A second restore would overwrite what is there now: refused with what to do.
    const again = run("scripts/restore.ts", [folder], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds data.*--force/);

    // Taken while uploads ran, the restored data is consistent: no row without its images,
    // no image without its row, no upload left half-done.
    const check = checkData(fresh, ids);
    expect(check).toMatchObject({ integrity: "ok", rowsWithoutFiles: 0, foldersWithoutRow: 0 });
    expect(isConsistent(check)).toBe(true);
    expect(check.rows).toBe(manifest.counts.analyses);

    const restored = await startServer(env);
    try {
      const list = await fetch(`${restored.baseUrl}/api/analyses`, { headers: { Cookie: cookie } });
      expect(list.status).toBe(200);
      const listed = ((await list.json()) as { analyses: { id: string }[] }).analyses.map(
        (a) => a.id,
      );
      expect(listed.sort()).toEqual([...ids].sort());
      for (const id of ids) {
        const bytes = await original(restored.baseUrl, id);
        expect(bytes.length).toBeGreaterThan(0);
        expect(bytes.equals(await original(baseUrl(), id))).toBe(true);
      }
    } finally {
      await killHard(restored);
      fs.rmSync(fresh, { recursive: true, force: true });
      fs.rmSync(path.dirname(folder), { recursive: true, force: true });
    }
  }, 120_000);
});
