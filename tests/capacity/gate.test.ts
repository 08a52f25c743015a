import { createGate, GateBusy } from "~/capacity/gate.server";

/** A task that runs until `finish` is called (or `fail`), and says when it started. */
function heldTask() {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  let started = false;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const task = () => {
    started = true;
    return done;
  };
  return { task, finish, fail, started: () => started };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("the analysis gate", () => {
  test("runs at most `limit` tasks at once: the next one waits until a slot is freed", async () => {
    const gate = createGate({ limit: 3, maxWaiting: 2, maxWaitMs: 10_000 });
    const held = [heldTask(), heldTask(), heldTask(), heldTask()];
    const runs = held.map((h) => gate.run(h.task));
    await settle();
    expect(held.map((h) => h.started())).toEqual([true, true, true, false]);
    expect([gate.active, gate.waiting]).toEqual([3, 1]);

    held[1]!.finish();
    await settle();
    expect(held[3]!.started()).toBe(true);
    expect([gate.active, gate.waiting]).toEqual([3, 0]);
    for (const h of held) h.finish();
    await Promise.all(runs);
    expect([gate.active, gate.waiting]).toEqual([0, 0]);
  });

  test("waiters start in the order they came", async () => {
    const gate = createGate({ limit: 1, maxWaiting: 3, maxWaitMs: 10_000 });
    const order: number[] = [];
    const first = heldTask();
    const running = gate.run(first.task);
    const waiters = [1, 2, 3].map((n) => gate.run(async () => void order.push(n)));
    await settle();
    expect(order).toEqual([]);
    first.finish();
    await Promise.all([running, ...waiters]);
    expect(order).toEqual([1, 2, 3]);
  });

  test("a task beyond the slots and the queue is refused at once, and never runs", async () => {
    const gate = createGate({ limit: 1, maxWaiting: 1, maxWaitMs: 10_000 });
    const [a, b] = [heldTask(), heldTask()];
    const runs = [gate.run(a.task), gate.run(b.task)];
    let ran = false;
    const refused = gate.run(async () => void (ran = true));
    await expect(refused).rejects.toEqual(new GateBusy("queue-full"));
    expect(ran).toBe(false);
    expect([gate.active, gate.waiting]).toEqual([1, 1]);
    a.finish();
    b.finish();
    await Promise.all(runs);
  });

  test("a waiter that waits longer than `maxWaitMs` is refused and leaves the queue", async () => {
    const gate = createGate({ limit: 1, maxWaiting: 2, maxWaitMs: 30 });
    const a = heldTask();
    const running = gate.run(a.task);
    let ran = false;
    const started = performance.now();
    await expect(gate.run(async () => void (ran = true))).rejects.toEqual(
      new GateBusy("waited-too-long"),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(ran).toBe(false);
    expect(gate.waiting).toBe(0);
    a.finish();
    await running;
    // The slot it did not get is still there for the next task.
    await expect(gate.run(async () => "next")).resolves.toBe("next");
  });

  test("a task that fails frees its slot for the next, and its error reaches the caller", async () => {
    const gate = createGate({ limit: 1, maxWaiting: 1, maxWaitMs: 10_000 });
    const failing = heldTask();
    const next = heldTask();
    const first = gate.run(failing.task);
    const second = gate.run(next.task);
    await settle();
    expect(next.started()).toBe(false);
    failing.fail(new Error("the decoder gave up"));
    await expect(first).rejects.toThrow("the decoder gave up");
    await settle();
    expect(next.started()).toBe(true);
    next.finish();
    await second;
    expect([gate.active, gate.waiting]).toEqual([0, 0]);
  });

  test("a task that throws before its first await frees its slot too", async () => {
    const gate = createGate({ limit: 1, maxWaiting: 0, maxWaitMs: 10_000 });
    await expect(
      gate.run(() => {
        throw new Error("bad input");
      }),
    ).rejects.toThrow("bad input");
    await expect(gate.run(async () => 42)).resolves.toBe(42);
  });
});
