import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { analyses } from "#db/schema";
import { action as apiAction } from "~/routes/api.analyses";
import { action as pageAction, loader as pageLoader } from "~/routes/analyses.new";
import { ORIGIN, makeUser, sessionCookieFor } from "../helpers";
import { smearLikeImage } from "../uploads/images";

async function upload(
  path: string,
  cookie: string,
  bytes: Uint8Array,
  {
    headers = {},
    fields = {},
  }: { headers?: Record<string, string>; fields?: Record<string, string> } = {},
) {
  const form = new FormData();
  form.set("smear", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "smear.jpg");
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  const request = new Request(`${ORIGIN}${path}`, {
    method: "POST",
    body: form,
    headers: { Origin: ORIGIN, Host: "localhost:3000", Cookie: cookie, ...headers },
  });
  return { request, params: {}, context: {} };
}

const rowsOf = (patientId: string) =>
  getDb().select().from(analyses).where(eq(analyses.patientId, patientId));

describe("POST /api/analyses with an Idempotency-Key", () => {
  test("a retry gets the first analysis with the same status; another photo is a 422 with a message", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const bytes = await smearLikeImage();
    const headers = { "Idempotency-Key": '"8f0c2c1e-retry"' };
    const first = (await apiAction(
      await upload("/api/analyses", cookie, bytes, { headers }),
    )) as Response;
    const again = (await apiAction(
      await upload("/api/analyses", cookie, bytes, { headers }),
    )) as Response;
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    const [a, b] = [await first.json(), await again.json()];
    expect(b.id).toBe(a.id);
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(await rowsOf(patient.id)).toHaveLength(1);

    const other = (await apiAction(
      await upload("/api/analyses", cookie, await smearLikeImage(200, 200), { headers }),
    )) as Response;
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({
      status: "error",
      error: { "": [expect.stringMatching(/already used for a different upload/)] },
    });
    expect(await rowsOf(patient.id)).toHaveLength(1);
  });

  test("a malformed key is a 400 that says what a key must be", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const response = (await apiAction(
      await upload("/api/analyses", cookie, await smearLikeImage(), {
        headers: { "Idempotency-Key": "short" },
      }),
    )) as Response;
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/8 to 255 printable characters/);
    expect(await rowsOf(patient.id)).toHaveLength(0);
  });
});

describe("the upload form", () => {
  test("carries a new key on every render, and a re-sent form goes to the first result", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const render = () =>
      pageLoader({
        request: new Request(`${ORIGIN}/analyses/new`, { headers: { Cookie: cookie } }),
        params: {},
        context: {},
      });
    const { idempotencyKey } = (await render())!;
    expect(idempotencyKey).not.toBe((await render())!.idempotencyKey);

    const bytes = await smearLikeImage();
    const send = async () =>
      (await pageAction(
        await upload("/analyses/new", cookie, bytes, { fields: { idempotencyKey } }),
      )) as Response;
    const first = await send();
    const again = await send();
    expect(first.status).toBe(302);
    expect(again.headers.get("Location")).toBe(first.headers.get("Location"));
    expect(await rowsOf(patient.id)).toHaveLength(1);
  });
});
