import { eq } from "drizzle-orm";
import { auditLog } from "#db/schema";
import { getDb } from "#db/client";
import { ENGINE } from "#db/engine";
import { audit } from "~/audit/audit.server";
import { inTransaction } from "~/data/unit-of-work.server";
import { currentRequest, runWithRequestContext, withRequestContext } from "~/http/request-context.server";

const afterImmediate = () => new Promise<void>((resolve) => setImmediate(resolve));
const auditedAs = (action: string) =>
  getDb().select().from(auditLog).where(eq(auditLog.action, action));

describe("a unit of work", () => {
  test("runs its after-commit effects only once the transaction committed, and after it", async () => {
    const ran: string[] = [];
    await inTransaction(async (uow) => {
      await audit({ actorId: null, action: "uow.commit", outcome: "success" }, uow.tx);
      uow.afterCommit(() => ran.push("committed"));
      ran.push("inside");
    });
    expect(ran).toEqual(["inside"]);
    await afterImmediate();
    expect(ran).toEqual(["inside", "committed"]);
    expect(await auditedAs("uow.commit")).toHaveLength(1);
  });

  test("a rolled-back unit of work leaves no row and runs no effect", async () => {
    const ran: string[] = [];
    await expect(inTransaction(async (uow) => {
        await audit({ actorId: null, action: "uow.rollback", outcome: "success" }, uow.tx);
        uow.afterCommit(() => ran.push("should not run"));
        throw new Error("refused");
      })).rejects.toThrow("refused");
    await afterImmediate();
    expect(ran).toEqual([]);
    expect(await auditedAs("uow.rollback")).toEqual([]);
  });

  test("a failing effect is logged, not thrown, and the change stays", async () => {
    const errors: unknown[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...args) => void errors.push(args));
    await inTransaction(async (uow) => {
      await audit({ actorId: null, action: "uow.effect-fails", outcome: "success" }, uow.tx);
      uow.afterCommit(() => {
        throw new Error("mail server down");
      });
    });
    await afterImmediate();
    await afterImmediate();
    spy.mockRestore();
    expect(String(errors[0])).toMatch(/after-commit effect failed/);
    expect(await auditedAs("uow.effect-fails")).toHaveLength(1);
  });

  test("an effect queued in a committed unit runs once", async () => {
    let runs = 0;
    await inTransaction((uow) => uow.afterCommit(() => (runs += 1)));
    for (let i = 0; i < 3; i++) await afterImmediate();
    expect(runs).toBe(1);
  });

  // SQLite's one writer connection runs units one at a time; on Postgres each unit has its own
  // client and transaction, and the database orders their writes (decision 058).
  test.skipIf(ENGINE === "postgres")("two concurrent units of work that await inside do not interleave", async () => {
    const steps: string[] = [];
    const unit = (name: string) =>
      inTransaction(async (uow) => {
        steps.push(`${name} begins`);
        await audit({ actorId: null, action: `uow.serial.${name}`, outcome: "success" }, uow.tx);
        await afterImmediate();
        await audit({ actorId: null, action: `uow.serial.${name}`, outcome: "success" }, uow.tx);
        steps.push(`${name} ends`);
      });
    await Promise.all([unit("a"), unit("b"), unit("c")]);
    expect(steps).toEqual(["a begins", "a ends", "b begins", "b ends", "c begins", "c ends"]);
    expect(await auditedAs("uow.serial.b")).toHaveLength(2);
  });

  test("a unit of work that fails does not hold up the next one", async () => {
    const failing = inTransaction(async () => {
      await afterImmediate();
      throw new Error("first fails");
    });
    const next = inTransaction((uow) =>
      audit({ actorId: null, action: "uow.after-failure", outcome: "success" }, uow.tx),
    );
    await expect(failing).rejects.toThrow("first fails");
    await next;
    expect(await auditedAs("uow.after-failure")).toHaveLength(1);
  });

  test("a read outside sees nothing of an open unit of work, and does not wait for it", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const open = inTransaction(async (uow) => {
      await audit({ actorId: null, action: "uow.isolated", outcome: "success" }, uow.tx);
      // Inside, the unit sees its own write.
      expect(
        await uow.tx.select().from(auditLog).where(eq(auditLog.action, "uow.isolated")),
      ).toHaveLength(1);
      written();
      await held;
    });
    await wrote;
    expect(await auditedAs("uow.isolated")).toEqual([]);
    release();
    await open;
    expect(await auditedAs("uow.isolated")).toHaveLength(1);
  });

  test("a write outside a unit of work fails", async () => {
    const error: unknown = await getDb()
      .insert(auditLog)
      .values({ actorId: null, action: "uow.outside", outcome: "success" })
      .then(() => null, (e: unknown) => e);
    // SQLite's read-only connection, or Postgres's read-only transaction (drizzle wraps the
    // driver's error: its cause).
    const { message, cause } = error as Error & { cause?: Error };
    expect(`${message} ${cause?.message}`).toMatch(/readonly|read-only transaction/);
    expect(await auditedAs("uow.outside")).toEqual([]);
  });

  test("a unit of work cannot open another one inside it", async () => {
    await expect(inTransaction(() => inTransaction(() => undefined))).rejects.toThrow(
      /cannot open another/,
    );
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

  test("audit rows take the address from the context", async () => {
    await runWithRequestContext({ ip: "198.51.100.99" }, () =>
      audit({ actorId: null, action: "context.audit", outcome: "success" }),
    );
    expect((await auditedAs("context.audit")).map((r) => r.ip)).toEqual(["198.51.100.99"]);
  });
});
