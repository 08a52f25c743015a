import { sql } from "drizzle-orm";
import { getDb } from "#db/client";

/** Liveness for load balancers and the test harness: the database answers. */
export async function loader() {
  getDb().get(sql`select 1`);
  return new Response("ok", { headers: { "Cache-Control": "no-store" } });
}
