import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { action as dataAction } from "~/routes/account.data";
import { action as analysisAction } from "~/routes/analyses.$id";
import { loader as imageLoader } from "~/routes/analyses.$id.image.$file";
import { action as apiAction } from "~/routes/api.analyses";
import { getImageStore } from "~/uploads/storage.server";
import {
  ORIGIN,
  formRequest,
  getRequest,
  makeUser,
  sessionCookieFor,
  thrownResponse,
} from "../helpers";
import { freshS3Bucket } from "../setup/test-servers";
import { smearLikeImage } from "../uploads/images";

// The app configured for S3 before anything reads its environment (docs/decisions/051).
const bucket = vi.hoisted(() => {
  const name = `routes-${globalThis.crypto.randomUUID().slice(0, 8)}`;
  Object.assign(process.env, {
    IMAGE_STORE: "s3",
    S3_BUCKET: name,
    S3_REGION: "us-east-1",
    S3_ENDPOINT: process.env.HEMALINK_TEST_S3_ENDPOINT,
    S3_ACCESS_KEY_ID: process.env.HEMALINK_TEST_S3_ACCESS_KEY_ID,
    S3_SECRET_ACCESS_KEY: process.env.HEMALINK_TEST_S3_SECRET_ACCESS_KEY,
    S3_FORCE_PATH_STYLE: "true",
  });
  return name;
});

let s3: Awaited<ReturnType<typeof freshS3Bucket>>["client"];
beforeAll(async () => {
  ({ client: s3 } = await freshS3Bucket(bucket));
});

/** Every object in the app's bucket, straight from the S3 server. */
async function objects(): Promise<string[]> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (page.Contents ?? []).map((o) => o.Key!).sort();
}

async function upload(cookie: string, bytes: Uint8Array) {
  const form = new FormData();
  form.set("smear", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "smear.jpg");
  const request = new Request(`${ORIGIN}/api/analyses`, {
    method: "POST",
    body: form,
    headers: { Origin: ORIGIN, Host: "localhost:3000", Cookie: cookie },
  });
  const response = (await apiAction({ request, params: {}, context: {} })) as Response;
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string };
}

const image = async (id: string, cookie: string, file = "original") =>
  (await imageLoader({
    request: getRequest(`/analyses/${id}/image/${file}`, { Cookie: cookie }),
    params: { id, file },
    context: {},
  })) as Response;

describe("with IMAGE_STORE=s3, a patient's images live in the bucket", () => {
  test("upload → the images in the bucket → shown only to their patient → deleted with the analysis, then with the account", async () => {
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const first = await upload(cookie, await smearLikeImage());

    // Three objects under the analysis's key, promoted out of pending/.
    const stored = await objects();
    expect(stored).toHaveLength(3);
    expect(stored.every((name) => name.startsWith("images/"))).toBe(true);
    expect(stored.map((name) => name.split("/").pop()).sort()).toEqual([
      "heatmap.png",
      "original.jpg",
      "thumbnail.jpg",
    ]);

    // Served through the guarded route, privately, the bytes the bucket holds.
    const shown = await image(first.id, cookie);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("Content-Type")).toBe("image/jpeg");
    expect(shown.headers.get("Cache-Control")).toBe("private, no-store");
    const key = stored[0]!.split("/")[1]!;
    const inBucket = await getImageStore().get(key, "original");
    expect(Buffer.from(await shown.arrayBuffer()).equals(inBucket!)).toBe(true);

    // Another patient gets a 404, as for a record that does not exist.
    const stranger = await makeUser("patient");
    expect(
      (await thrownResponse(image(first.id, await sessionCookieFor(stranger.id)))).status,
    ).toBe(404);

    // Deleting the analysis removes its objects.
    const deleted = (await analysisAction({
      request: formRequest(`/analyses/${first.id}`, {}, { Cookie: cookie }),
      params: { id: first.id },
      context: {},
    })) as Response;
    expect(deleted.status).toBe(302);
    expect(await objects()).toEqual([]);

    // Deleting the account removes the objects of every analysis left.
    await upload(cookie, await smearLikeImage(190, 170));
    await upload(cookie, await smearLikeImage(200, 160));
    expect(await objects()).toHaveLength(6);
    const gone = (await dataAction({
      request: formRequest(
        "/account/data",
        { intent: "delete", password: patient.password, confirm: "yes" },
        { Cookie: cookie },
      ),
      params: {},
      context: {},
    })) as Response;
    expect(gone.status).toBe(302);
    expect(await objects()).toEqual([]);
  });
});
