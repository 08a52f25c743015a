import { sql } from "drizzle-orm";
import { rateLimits } from "#db/schema";
import { greatest } from "~/data/sql-dialect.server";
import { getEnv } from "~/env.server";
import { inTransaction } from "~/data/unit-of-work.server";

export type RateLimitResult = { allowed: boolean; retryAfterSeconds: number };

/**
 * Count one hit for (bucket, key) in a fixed window stored in the database, so every
 * app instance sees the same counters (see docs/decisions/003). One atomic upsert.
 */
export async function hit(
  bucket: string,
  key: string,
  limit: number,
  now = Date.now(),
): Promise<RateLimitResult> {
  const windowMs = getEnv().RATE_LIMIT_WINDOW_SECONDS * 1000;
  const windowStart = now - (now % windowMs);
  const row = (
    await inTransaction(({ tx }) =>
      tx
        .insert(rateLimits)
        .values({ bucket, key, windowStart, count: 1 })
        .onConflictDoUpdate({
          target: [rateLimits.bucket, rateLimits.key],
          set: {
            count: sql`case when ${rateLimits.windowStart} = ${windowStart} then ${rateLimits.count} + 1 else 1 end`,
            windowStart,
          },
        })
        .returning({ count: rateLimits.count }),
    )
  )[0];
  const retryAfterSeconds = Math.ceil((windowStart + windowMs - now) / 1000);
  return { allowed: row.count <= limit, retryAfterSeconds };
}

/** Take back one hit of the current window (an attempt that turned out not to count). */
export async function release(bucket: string, key: string, now = Date.now()): Promise<void> {
  const windowMs = getEnv().RATE_LIMIT_WINDOW_SECONDS * 1000;
  const windowStart = now - (now % windowMs);
  await inTransaction(({ tx }) =>
    tx
      .update(rateLimits)
      .set({ count: greatest(sql`${rateLimits.count} - 1`, 0) })
      .where(
        sql`${rateLimits.bucket} = ${bucket} and ${rateLimits.key} = ${key} and ${rateLimits.windowStart} = ${windowStart}`,
      ),
  );
}

/** Forget a counter. */
export async function reset(bucket: string, key: string): Promise<void> {
  await inTransaction(({ tx }) =>
    tx
      .delete(rateLimits)
      .where(sql`${rateLimits.bucket} = ${bucket} and ${rateLimits.key} = ${key}`),
  );
}

/** Housekeeping: remove counters whose window has passed (they would restart at 1). */
export async function purgeExpiredRateLimits(now = Date.now()): Promise<number> {
  const windowMs = getEnv().RATE_LIMIT_WINDOW_SECONDS * 1000;
  const currentWindow = now - (now % windowMs);
  return (
    await inTransaction(({ tx }) =>
      tx
        .delete(rateLimits)
        .where(sql`${rateLimits.windowStart} < ${currentWindow}`)
        .returning(),
    )
  ).length;
}
