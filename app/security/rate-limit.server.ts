import { sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { rateLimits } from "#db/schema";
import { getEnv } from "~/env.server";

export type RateLimitResult = { allowed: boolean; retryAfterSeconds: number };

/**
 * Count one hit for (bucket, key) in a fixed window stored in the database, so every
 * app instance sees the same counters (see docs/decisions/003). One atomic upsert.
 */
export function hit(bucket: string, key: string, limit: number, now = Date.now()): RateLimitResult {
  const windowMs = getEnv().RATE_LIMIT_WINDOW_SECONDS * 1000;
  const windowStart = now - (now % windowMs);
  const row = getDb()
    .insert(rateLimits)
    .values({ bucket, key, windowStart, count: 1 })
    .onConflictDoUpdate({
      target: [rateLimits.bucket, rateLimits.key],
      set: {
        count: sql`case when ${rateLimits.windowStart} = ${windowStart} then ${rateLimits.count} + 1 else 1 end`,
        windowStart,
      },
    })
    .returning({ count: rateLimits.count })
    .get();
  const retryAfterSeconds = Math.ceil((windowStart + windowMs - now) / 1000);
  return { allowed: row.count <= limit, retryAfterSeconds };
}

/** Take back one hit of the current window (an attempt that turned out not to count). */
export function release(bucket: string, key: string, now = Date.now()): void {
  const windowMs = getEnv().RATE_LIMIT_WINDOW_SECONDS * 1000;
  const windowStart = now - (now % windowMs);
  getDb()
    .update(rateLimits)
    .set({ count: sql`max(${rateLimits.count} - 1, 0)` })
    .where(
      sql`${rateLimits.bucket} = ${bucket} and ${rateLimits.key} = ${key} and ${rateLimits.windowStart} = ${windowStart}`,
    )
    .run();
}

/** Forget a counter. */
export function reset(bucket: string, key: string): void {
  getDb()
    .delete(rateLimits)
    .where(sql`${rateLimits.bucket} = ${bucket} and ${rateLimits.key} = ${key}`)
    .run();
}

/** Housekeeping: remove counters whose window has passed (they would restart at 1). */
export function purgeExpiredRateLimits(now = Date.now()): number {
  const windowMs = getEnv().RATE_LIMIT_WINDOW_SECONDS * 1000;
  const currentWindow = now - (now % windowMs);
  return getDb()
    .delete(rateLimits)
    .where(sql`${rateLimits.windowStart} < ${currentWindow}`)
    .run().changes;
}
