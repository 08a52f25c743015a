import { loader as analysesApi } from "~/routes/api.analyses";
import { loader as placesApi } from "~/routes/api.places";
import { getRequest, makeUser, sessionCookieFor } from "../helpers";

describe("caching of private answers", () => {
  test("the analyses API answers a signed-in patient with private, no-store", async () => {
    const patient = await makeUser("patient");
    const response = (await analysesApi({
      request: getRequest("/api/analyses", { Cookie: await sessionCookieFor(patient.id) }),
      context: {},
      params: {},
    })) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
  });

  test("a public answer that reads no session keeps its own caching", async () => {
    const response = (await placesApi({
      request: getRequest("/api/places?q=Paris"),
      context: {},
      params: {},
    })) as Response;
    expect(response.headers.get("Cache-Control")).toMatch(/public/);
  });
});
