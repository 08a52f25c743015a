import { action as apiAction } from "~/routes/api.analyses";
import { action as pageAction } from "~/routes/analyses.new";
import { ORIGIN, makeUser, sessionCookieFor } from "../helpers";

/** A POST that is not a multipart upload at all: refused while reading the form. */
async function notAnUpload(path: string) {
  const patient = await makeUser("patient");
  const request = new Request(`${ORIGIN}${path}`, {
    method: "POST",
    body: new URLSearchParams({ note: "no file" }),
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: ORIGIN,
      Host: "localhost:3000",
      Cookie: await sessionCookieFor(patient.id),
    },
  });
  return { request, params: {}, context: {} };
}

describe("an upload refused before the form can be read", () => {
  test("the JSON API answers 400 with the message on the photo field", async () => {
    const response = (await apiAction(await notAnUpload("/api/analyses"))) as Response;
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      status: "error",
      error: { smear: ["Choose an image file to upload."] },
    });
  });

  test("the page answers the same reply as form data, for the form without JavaScript", async () => {
    const result = (await pageAction(await notAnUpload("/analyses/new"))) as unknown as {
      data: unknown;
      init: { status: number };
    };
    expect(result.init.status).toBe(400);
    expect(result.data).toEqual({
      status: "error",
      error: { smear: ["Choose an image file to upload."] },
    });
  });
});
