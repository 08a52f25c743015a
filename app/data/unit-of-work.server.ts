/**
 * A unit of work: one database transaction, and the effects that must follow only if it
 * commits (an e-mail, later a webhook or a queue message). Writes go through `tx`, never
 * through a connection picked up elsewhere; effects are queued with `afterCommit` and
 * dispatched after the commit, off the request's path, so a failed or rolled-back change
 * sends nothing and a slow mail server does not hold the transaction open.
 */
import { getDb, type Db } from "#db/client";
import { logError } from "~/http/request-context.server";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
/** Where a write goes: a transaction of a unit of work, or the connection itself. */
export type Executor = Db | Tx;

export type UnitOfWork = {
  tx: Tx;
  /** Run `effect` once the transaction has committed; never if it rolls back. */
  afterCommit(effect: () => unknown): void;
};

export function inTransaction<T>(work: (uow: UnitOfWork) => T): T {
  const effects: (() => unknown)[] = [];
  // IMMEDIATE takes the write lock at BEGIN: a unit of work that reads before it writes cannot
  // fail with SQLITE_BUSY half-way when another process (a script, a second server) wrote.
  const result = getDb().transaction(
    (tx) => {
      const value = work({ tx, afterCommit: (effect) => void effects.push(effect) });
      if (value instanceof Promise) {
        throw new Error("A unit of work is synchronous: await before it, not inside it.");
      }
      return value;
    },
    { behavior: "immediate" },
  );
  for (const effect of effects) setImmediate(() => dispatch(effect));
  return result;
}

async function dispatch(effect: () => unknown) {
  try {
    await effect();
  } catch (error) {
    logError("an after-commit effect failed", error);
  }
}
