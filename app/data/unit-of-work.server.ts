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
 *
 * On PostgreSQL (docs/decisions/058) a unit of work is one pooled client between `BEGIN` and
 * `COMMIT`: units run side by side, each on its own client, and the database orders their
 * writes (row locks; counters are single-statement upserts). The after-commit queue and the
 * no-nesting rule are the same on both engines.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { drizzle } from "drizzle-orm/node-postgres";
import { getPostgres, getWriter, type Db } from "#db/client";
import { ENGINE } from "#db/engine";
import * as pgSchema from "#db/pg/schema";
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
  const afterCommit = (effect: () => unknown) => void effects.push(effect);
  const result =
    ENGINE === "postgres"
      ? await inside.run(true, () => onPostgres(work, afterCommit))
      : await onSqlite(work, afterCommit);
  for (const effect of effects) setImmediate(() => void dispatch(effect));
  return result;
}

/** One pooled client between BEGIN and COMMIT (ROLLBACK when the work throws). */
async function onPostgres<T>(
  work: (uow: UnitOfWork) => T | PromiseLike<T>,
  afterCommit: UnitOfWork["afterCommit"],
): Promise<T> {
  const client = await getPostgres().$client.connect();
  let broken: unknown;
  try {
    await client.query("BEGIN");
    try {
      const tx = drizzle(client, { schema: pgSchema }) as unknown as Tx;
      const value = await work({ tx, afterCommit });
      await client.query("COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        broken = rollbackError;
      });
      throw error;
    }
  } finally {
    // A client whose ROLLBACK failed is in an unknown state: the pool discards it.
    client.release(broken instanceof Error ? broken : undefined);
  }
}

function onSqlite<T>(
  work: (uow: UnitOfWork) => T | PromiseLike<T>,
  afterCommit: UnitOfWork["afterCommit"],
): Promise<T> {
  return exclusive(() =>
    inside.run(true, async () => {
      const writer = getWriter();
      // IMMEDIATE takes the write lock at BEGIN: a unit of work that reads before it writes cannot
      // fail with SQLITE_BUSY half-way when another process (a script, a second server) wrote.
      writer.$client.exec("BEGIN IMMEDIATE");
      try {
        const value = await work({ tx: writer, afterCommit });
        writer.$client.exec("COMMIT");
        return value;
      } catch (error) {
        if (writer.$client.inTransaction) writer.$client.exec("ROLLBACK");
        throw error;
      }
    }),
  );
}

async function dispatch(effect: () => unknown) {
  try {
    await effect();
  } catch (error) {
    logError("an after-commit effect failed", error);
  }
}
