import fs from "node:fs";
import type { Role } from "~/auth/vocabulary";
import path from "node:path";
import { loader as adminLoader } from "~/routes/admin._index";
import { loader as dashboardLoader } from "~/routes/dashboard";
import { loader as doctorLoader } from "~/routes/doctor._index";
import { formRequest, getRequest, makeUser, sessionCookieFor, thrownResponse } from "../helpers";

const args = (request: Request) => ({ request, context: {}, params: {} });

async function asUser(role: Role, url: string) {
  const user = await makeUser(role);
  return getRequest(url, { Cookie: await sessionCookieFor(user.id) });
}

describe("role guards", () => {
  test("an anonymous visitor is sent to /login and brought back afterwards", async () => {
    const response = await thrownResponse(adminLoader(args(getRequest("/admin"))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fadmin");
  });

  test.each([
    ["patient", "/admin", adminLoader],
    ["doctor", "/admin", adminLoader],
    ["patient", "/doctor", doctorLoader],
    ["doctor", "/dashboard", dashboardLoader],
    ["admin", "/dashboard", dashboardLoader],
  ] as const)("a %s gets 404 on %s", async (role, url, loader) => {
    const response = await thrownResponse(loader(args(await asUser(role, url))));
    expect(response.status).toBe(404);
  });

  test("the admin sees doctors awaiting verification, the newest registration included", async () => {
    const doctor = await makeUser("doctor");
    const result = await adminLoader(args(await asUser("admin", "/admin")));
    expect(result.pending.map((p) => p.email)).toContain(doctor.email);
  });
});

describe("every action refuses cross-site requests", () => {
  // Every route module with an action, loaded as Remix loads it.
  const routesDir = path.resolve("app/routes");
  const files = fs.readdirSync(routesDir).filter((f) => /\.tsx?$/.test(f));

  async function actions() {
    type Action = (input: {
      request: Request;
      context: object;
      params: object;
    }) => Promise<unknown>;
    const found: [string, Action][] = [];
    for (const file of files) {
      const module = (await import(path.join(routesDir, file))) as { action?: unknown };
      if (typeof module.action === "function") found.push([file, module.action as Action]);
    }
    return found;
  }

  test("a forged post from another site gets 403 before anything else, signed in or not", async () => {
    const list = await actions();
    expect(list.length).toBeGreaterThanOrEqual(14);
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    for (const [file, action] of list) {
      const forged: Record<string, string>[] = [
        { Origin: "https://evil.example" },
        { "Sec-Fetch-Site": "cross-site", Cookie: cookie },
      ];
      for (const headers of forged) {
        const request = formRequest("/anything", { intent: "x" }, headers);
        const response = await thrownResponse(action(args(request)));
        expect([file, response.status]).toEqual([file, 403]);
      }
    }
    // Loading every route module the first time takes a minute on a machine under load.
  }, 180_000);

  test("a same-origin post from nobody signed in goes to /login on a signed-in-only action", async () => {
    const { action } = await import("~/routes/notifications");
    const response = await thrownResponse(action(args(formRequest("/notifications", {}))));
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/login?redirectTo=%2Fnotifications");
  });
});
