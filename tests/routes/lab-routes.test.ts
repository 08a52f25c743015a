import fs from "node:fs";
import { getDb } from "#db/client";
import { labDatasets } from "#db/schema";
import { datasetsRoot } from "~/lab/dataset-store.server";
import { incomingRoot, readDatasetForm } from "~/lab/upload.server";
import { action as datasetsAction } from "~/routes/admin.models.datasets._index";
import { loader as labLoader } from "~/routes/admin.models._index";
import { action as predictAction } from "~/routes/admin.models.predict";
import { getEnv } from "~/env.server";
import { hit } from "~/security/rate-limit.server";
import {
  ORIGIN,
  formRequest,
  getRequest,
  makeUser,
  sessionCookieFor,
  thrownResponse,
} from "../helpers";
import { labelledFiles, zipOf } from "../lab/archives";
import { inTransaction } from "~/data/unit-of-work.server";

async function uploadRequest(
  role: "admin" | "patient",
  body: FormData | ReadableStream,
  headers = {},
) {
  const user = await makeUser(role);
  return new Request(`${ORIGIN}/admin/models/datasets`, {
    method: "POST",
    body,
    headers: {
      Origin: ORIGIN,
      Host: "localhost:3000",
      Cookie: await sessionCookieFor(user.id),
      ...headers,
    },
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

const leftovers = () => [
  ...(fs.existsSync(incomingRoot()) ? fs.readdirSync(incomingRoot()) : []),
  ...(fs.existsSync(datasetsRoot()) ? fs.readdirSync(datasetsRoot()) : []),
];

describe("the dataset upload page", () => {
  test("an admin's upload streams in, is reported on, and the page goes to the report", async () => {
    const form = new FormData();
    form.set("name", "Ward smears");
    form.set(
      "dataset",
      new Blob([new Uint8Array(zipOf(await labelledFiles(1)))], { type: "application/zip" }),
      "ward.zip",
    );
    const response = (await datasetsAction({
      request: await uploadRequest("admin", form),
      params: {},
      context: {},
    })) as Response;
    expect(response.status).toBe(302);
    const [row] = await getDb().select().from(labDatasets);
    expect(response.headers.get("Location")).toBe(`/admin/models/datasets/${row!.id}`);
    expect(row!.name).toBe("Ward smears");
    // The upload itself is gone once the dataset is unpacked.
    expect(fs.readdirSync(incomingRoot())).toEqual([]);
  });

  test("a refused archive comes back to the form with its message and leaves no file", async () => {
    const form = new FormData();
    form.set("dataset", new Blob([new Uint8Array(zipOf({ "Cats/c.jpg": "x" }))]), "cats.zip");
    await inTransaction(({ tx }) => tx.delete(labDatasets));
    fs.rmSync(datasetsRoot(), { recursive: true, force: true });
    const result = (await datasetsAction({
      request: await uploadRequest("admin", form),
      params: {},
      context: {},
    })) as unknown as { data: { error: Record<string, string[]> }; init: { status: number } };
    expect(result.init.status).toBe(422);
    expect(result.data.error.dataset?.[0]).toMatch(/Wrong folder layout/);
    // The reply carries no file: the uploaded archive is on disk (and now removed).
    expect(JSON.stringify(result.data)).not.toMatch(/upload\.zip/);
    expect((result.data as { initialValue?: Record<string, unknown> }).initialValue?.dataset).toBe(
      undefined,
    );
    expect(leftovers()).toEqual([]);
  });

  test("an upload declared larger than the cap is refused before a byte is read (413)", async () => {
    const request = await uploadRequest("admin", new FormData(), {
      "Content-Length": String(10 * 1024 ** 3),
      "Content-Type": "multipart/form-data; boundary=x",
    });
    const result = (await datasetsAction({ request, params: {}, context: {} })) as unknown as {
      data: { error: Record<string, string[]> };
      init: { status: number };
    };
    expect(result.init.status).toBe(413);
    expect(result.data.error.dataset?.[0]).toMatch(/larger than 2048 MB/);
  });

  test("an upload that grows past the cap while streaming is cut off and its partial file removed", async () => {
    const boundary = "----lab";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="dataset"; filename="big.zip"\r\nContent-Type: application/zip\r\n\r\n`;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode(head));
        sent += 1;
        if (sent > 40) return controller.close();
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const request = await uploadRequest("admin", body, {
      "Content-Type": `multipart/form-data; boundary=${boundary}`,
    });
    const error = (await readDatasetForm(request, 1024 * 1024).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/larger than 1 MB/);
    expect(leftovers()).toEqual([]);
  });

  test("a patient's upload is a 404 and is never written to disk; the lab page is a 404 too", async () => {
    const form = new FormData();
    form.set("dataset", new Blob([new Uint8Array(zipOf(await labelledFiles(1)))]), "ward.zip");
    const response = await thrownResponse(
      datasetsAction({ request: await uploadRequest("patient", form), params: {}, context: {} }),
    );
    expect(response.status).toBe(404);
    expect(leftovers()).toEqual([]);
    const patient = await makeUser("patient");
    const page = await thrownResponse(
      labLoader({
        request: getRequest("/admin/models", { Cookie: await sessionCookieFor(patient.id) }),
        params: {},
        context: {},
      }),
    );
    expect(page.status).toBe(404);
  });
});

describe("the prediction page's limit", () => {
  test("an admin past the prediction limit gets 429 with a clear message before the image is read; another admin may still predict", async () => {
    const admin = await makeUser("admin");
    for (let i = 0; i < getEnv().RATE_LIMIT_LAB_PREDICTIONS_PER_ACCOUNT; i++) {
      expect((await hit("lab-predict:account", admin.id, 1e9)).allowed).toBe(true);
    }
    const predict = async (userId: string) => {
      const form = new FormData();
      form.set("version", "no-such-version");
      form.set("source", "upload");
      form.set("smear", new Blob([new Uint8Array([1, 2, 3])]), "smear.jpg");
      return (await predictAction({
        request: new Request(`${ORIGIN}/admin/models/predict`, {
          method: "POST",
          body: form,
          headers: {
            Origin: ORIGIN,
            Host: "localhost:3000",
            Cookie: await sessionCookieFor(userId),
          },
        }),
        params: {},
        context: {},
      })) as unknown as {
        data: { error: Record<string, string[]> };
        init: { status: number; headers?: Record<string, string> };
      };
    };
    const limited = await predict(admin.id);
    expect(limited.init.status).toBe(429);
    expect(JSON.stringify(limited.data)).toMatch(/Too many predictions in a short time/);
    // Another admin's counter is their own: their form is read, and its unknown version refused.
    const other = await makeUser("admin");
    const read = await predict(other.id);
    expect(read.init.status).toBe(422);
    expect(read.data.error.version).toEqual(["Choose a model version from the list."]);
  });
});

describe("a dataset from patients' consented analyses, on the datasets page", () => {
  test("with none to take, the form says why (422) and nothing is written; a patient's post is a 404", async () => {
    const post = async (role: "admin" | "patient") =>
      (await datasetsAction({
        request: formRequest(
          "/admin/models/datasets",
          { intent: "consented", name: "Ward consented" },
          { Cookie: await sessionCookieFor((await makeUser(role)).id) },
        ),
        params: {},
        context: {},
      })) as unknown as { data: { error: Record<string, string[]> }; init: { status: number } };
    await inTransaction(({ tx }) => tx.delete(labDatasets));
    const refused = await post("admin");
    expect(refused.init.status).toBe(422);
    expect(refused.data.error[""]?.[0]).toMatch(/No patient's analysis can join a dataset yet/);
    expect(await getDb().select().from(labDatasets)).toEqual([]);
    expect(leftovers()).toEqual([]);
    await expect(post("patient")).rejects.toSatisfy(
      (thrown: unknown) => thrown instanceof Response && thrown.status === 404,
    );
  });
});
