import { getDb, getWriter } from "#db/client";
import { audit } from "~/audit/audit.server";
import { fromAddress } from "./helpers";

describe("audit log", () => {
  test("rows are appended and can be read", async () => {
    await fromAddress("127.0.0.1", () =>
      audit({ actorId: null, action: "test", outcome: "success" }),
    );
    const rows = getDb().$client.prepare("select action, ip from audit_log").all();
    expect(rows).toContainEqual({ action: "test", ip: "127.0.0.1" });
  });

  test("UPDATE and DELETE are refused by the database itself", async () => {
    await audit({ actorId: null, action: "test", outcome: "success" });
    const sqlite = getWriter().$client;
    expect(() => sqlite.prepare("update audit_log set action = 'x'").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare("delete from audit_log").run()).toThrow(/append-only/);
  });
});
