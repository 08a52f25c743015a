import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { handleLoader } from "~/http/pipeline.server";

/** Liveness for load balancers and the test harness: the database answers. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async () => {
    await getDb().get(sql`select 1`);
    return new Response("ok", { headers: { "Cache-Control": "no-store" } });
  });
}
