import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses, uploads } from "#db/schema";
import { analysisGate } from "~/capacity/gate.server";
import { getEnv } from "~/env.server";
import { action as apiAction } from "~/routes/api.analyses";
import { action as pageAction } from "~/routes/analyses.new";
import { ORIGIN, makeUser, sessionCookieFor } from "../helpers";
import { smearLikeImage } from "../uploads/images";

async function upload(path: string, cookie: string, bytes: Uint8Array) {
  const form = new FormData();
  form.set("smear", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "smear.jpg");
  const request = new Request(`${ORIGIN}${path}`, {
    method: "POST",
    body: form,
    headers: { Origin: ORIGIN, Host: "localhost:3000", Cookie: cookie },
  });
  return { request, params: {}, context: {} };
}

const imagesDir = () => path.join(process.env.DATA_DIR!, "images");
const storedFileCount = () =>
  fs.existsSync(imagesDir())
    ? fs.readdirSync(imagesDir(), { recursive: true }).filter((f) => String(f).includes(".")).length
    : 0;

/** Take `count` of the instance's analysis slots (running, then queued) until `release()`. */
function occupy(count: number) {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const runs = Array.from({ length: count }, () => analysisGate().run(() => held));
  return {
    release: async () => {
      release();
      await Promise.all(runs);
    },
  };
}

/** Resolves once `condition()` holds (checked every 10 ms), or fails after 10 s. */
async function until(condition: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("The condition never held");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("uploads when every analysis slot of the instance is taken", () => {
  test("the next upload waits for a slot and then succeeds", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const bytes = await smearLikeImage();
    const slots = occupy(getEnv().UPLOAD_CONCURRENCY);
    let answered = false;
    const pending = (
      apiAction(await upload("/api/analyses", cookie, bytes)) as Promise<Response>
    ).finally(() => (answered = true));
    await until(() => analysisGate().waiting === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    await slots.release();
    const response = await pending;
    expect(response.status).toBe(201);
  });

  test("beyond the queue: 503 with Retry-After and a message for the form, and nothing saved", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const bytes = await smearLikeImage();
    const { UPLOAD_CONCURRENCY, UPLOAD_QUEUE_LENGTH, UPLOAD_QUEUE_WAIT_SECONDS } = getEnv();
    const files = storedFileCount();
    const slots = occupy(UPLOAD_CONCURRENCY + UPLOAD_QUEUE_LENGTH);
    try {
      const message = `The server is busy analysing other smears. Your photo was not saved: please send it again in ${UPLOAD_QUEUE_WAIT_SECONDS} seconds.`;

      const api = (await apiAction(await upload("/api/analyses", cookie, bytes))) as Response;
      expect(api.status).toBe(503);
      expect(api.headers.get("Retry-After")).toBe(String(UPLOAD_QUEUE_WAIT_SECONDS));
      expect(await api.json()).toMatchObject({ status: "error", error: { "": [message] } });

      // The page's action, as the form without JavaScript posts it.
      const page = (await pageAction(await upload("/analyses/new", cookie, bytes))) as unknown as {
        data: unknown;
        init: { status: number; headers: Record<string, string> };
      };
      expect(page.init.status).toBe(503);
      expect(page.init.headers["Retry-After"]).toBe(String(UPLOAD_QUEUE_WAIT_SECONDS));
      expect(page.data).toMatchObject({ status: "error", error: { "": [message] } });
    } finally {
      await slots.release();
    }
    const db = getDb();
    expect(await db.select().from(analyses).where(eq(analyses.patientId, patient.id))).toEqual([]);
    expect(await db.select().from(uploads).where(eq(uploads.userId, patient.id))).toEqual([]);
    expect(storedFileCount()).toBe(files);
    expect([analysisGate().active, analysisGate().waiting]).toEqual([0, 0]);
  });
});
