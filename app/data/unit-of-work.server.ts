/**
 * A unit of work: one database transaction, and the effects that must follow only if it
 * commits (an e-mail, later a webhook or a queue message). Every write goes through one (a
 * single statement too), on `uow.tx`; reads outside a unit of work use the reader connection
 * (`getDb()`), which sees committed data only. Effects are queued with `afterCommit` and
 * dispatched after the commit, off the request's path, so a failed or rolled-back change
 * sends nothing and a slow mail server does not hold the transaction open.
 *
 * On SQLite the work runs on the writer connection between `BEGIN IMMEDIATE` and `COMMIT`
 * (better-sqlite3's own `transaction()` cannot await), one unit of work at a time in the
 * process (a first-in, first-out queue), so two units never interleave their statements.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { getWriter, type Db } from "#db/client";
import { logError } from "~/http/request-context.server";

/** The connection a unit of work writes (and reads its own writes) through. */
export type Tx = Db;
/** Where a read goes: the reader connection, or a unit of work (to see its own writes). */
export type Executor = Db | Tx;

export type UnitOfWork = {
  tx: Tx;
  /** Run `effect` once the transaction has committed; never if it rolls back. */
  afterCommit(effect: () => unknown): void;
};

/** The tail of the queue of units of work: each waits for the one before it to end. */
let tail: Promise<void> = Promise.resolve();
const inside = new AsyncLocalStorage<true>();

async function exclusive<T>(work: () => Promise<T>): Promise<T> {
  const before = tail;
  let release!: () => void;
  tail = new Promise<void>((resolve) => (release = resolve));
  await before;
  try {
    return await work();
  } finally {
    release();
  }
}

export async function inTransaction<T>(work: (uow: UnitOfWork) => T | PromiseLike<T>): Promise<T> {
  if (inside.getStore()) {
    // It would wait for itself: the queue holds the outer unit until this one ends.
    throw new Error("A unit of work cannot open another one: pass its `uow` down instead.");
  }
  const effects: (() => unknown)[] = [];
  const result = await exclusive(() =>
    inside.run(true, async () => {
      const writer = getWriter();
      // IMMEDIATE takes the write lock at BEGIN: a unit of work that reads before it writes cannot
      // fail with SQLITE_BUSY half-way when another process (a script, a second server) wrote.
      writer.$client.exec("BEGIN IMMEDIATE");
      try {
        const value = await work({
          tx: writer,
          afterCommit: (effect) => void effects.push(effect),
        });
        writer.$client.exec("COMMIT");
        return value;
      } catch (error) {
        if (writer.$client.inTransaction) writer.$client.exec("ROLLBACK");
        throw error;
      }
    }),
  );
  for (const effect of effects) setImmediate(() => void dispatch(effect));
  return result;
}

async function dispatch(effect: () => unknown) {
  try {
    await effect();
  } catch (error) {
    logError("an after-commit effect failed", error);
  }
}
