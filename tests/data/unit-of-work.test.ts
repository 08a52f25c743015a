import { eq } from "drizzle-orm";
import { auditLog } from "#db/schema";
import { getDb } from "#db/client";
import { audit } from "~/audit/audit.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { currentRequest, runWithRequestContext, withRequestContext } from "~/http/request-context.server";

const afterImmediate = () => new Promise<void>((resolve) => setImmediate(resolve));
const auditedAs = (action: string) =>
  getDb().select().from(auditLog).where(eq(auditLog.action, action)).all();

describe("a unit of work", () => {
  test("runs its after-commit effects only once the transaction committed, and after it", async () => {
    const ran: string[] = [];
    inTransaction((uow) => {
      audit({ actorId: null, action: "uow.commit", outcome: "success" }, uow.tx);
      uow.afterCommit(() => ran.push("committed"));
      ran.push("inside");
    });
    expect(ran).toEqual(["inside"]);
    await afterImmediate();
    expect(ran).toEqual(["inside", "committed"]);
    expect(auditedAs("uow.commit")).toHaveLength(1);
  });

  test("a rolled-back unit of work leaves no row and runs no effect", async () => {
    const ran: string[] = [];
    expect(() =>
      inTransaction((uow) => {
        audit({ actorId: null, action: "uow.rollback", outcome: "success" }, uow.tx);
        uow.afterCommit(() => ran.push("should not run"));
        throw new Error("refused");
      }),
    ).toThrow("refused");
    await afterImmediate();
    expect(ran).toEqual([]);
    expect(auditedAs("uow.rollback")).toEqual([]);
  });

  test("a failing effect is logged, not thrown, and the change stays", async () => {
    const errors: unknown[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args) => void errors.push(args));
    inTransaction((uow) => {
      audit({ actorId: null, action: "uow.effect-fails", outcome: "success" }, uow.tx);
      uow.afterCommit(() => {
        throw new Error("mail server down");
      });
    });
    await afterImmediate();
    await afterImmediate();
    spy.mockRestore();
    expect(String(errors[0])).toMatch(/after-commit effect failed/);
    expect(auditedAs("uow.effect-fails")).toHaveLength(1);
  });

  test("work that awaits inside the transaction is refused", () => {
    expect(() => inTransaction(async () => undefined)).toThrow();
  });
});

describe("the request context", () => {
  test("a route opens one with the client address when no server did", () => {
    const request = new Request("http://localhost/x");
    const seen = withRequestContext(request, { clientIp: "192.0.2.44" }, () => currentRequest());
    expect(seen).toMatchObject({ ip: "192.0.2.44", actor: null });
    expect(seen?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(currentRequest()).toBeUndefined();
  });

  test("a route reuses the server's context (its request id) and fills in the address", () => {
    const request = new Request("http://localhost/x");
    runWithRequestContext({ requestId: "from-the-server" }, () => {
      const seen = withRequestContext(request, { clientIp: "192.0.2.45" }, () => currentRequest());
      expect(seen).toMatchObject({ requestId: "from-the-server", ip: "192.0.2.45" });
    });
  });

  test("audit rows take the address from the context", () => {
    runWithRequestContext({ ip: "198.51.100.99" }, () =>
      audit({ actorId: null, action: "context.audit", outcome: "success" }),
    );
    expect(auditedAs("context.audit").map((r) => r.ip)).toEqual(["198.51.100.99"]);
  });
});
