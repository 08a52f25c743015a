import fs from "node:fs";
import path from "node:path";
import { loader as adminLoader } from "~/routes/admin._index";
import { loader as dashboardLoader } from "~/routes/dashboard";
import { loader as doctorLoader } from "~/routes/doctor._index";
import { getRequest, makeUser, sessionCookieFor, thrownResponse } from "../helpers";

const args = (request: Request) => ({ request, context: {}, params: {} });

async function asUser(role: "patient" | "doctor" | "admin", url: string) {
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
  const routesDir = path.resolve("app/routes");
  const files = fs.readdirSync(routesDir).filter((f) => /\.tsx?$/.test(f));
  const withActions = files.filter((f) =>
    /export (async )?function action/.test(fs.readFileSync(path.join(routesDir, f), "utf8")),
  );

  test("there are actions to check", () => {
    expect(withActions.length).toBeGreaterThan(0);
  });

  test.each(withActions)("%s calls requireSameOrigin first", (file) => {
    const source = fs.readFileSync(path.join(routesDir, file), "utf8");
    const firstStatement = /export (?:async )?function action\([^)]*\)[^{]*\{\s*([^\n]*)/.exec(
      source,
    )?.[1];
    expect(firstStatement).toBe("requireSameOrigin(request);");
  });
});
