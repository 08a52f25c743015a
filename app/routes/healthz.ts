import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { getDb } from "#db/client";
import { rawRows } from "~/data/sql-dialect.server";
import { handleLoader } from "~/http/pipeline.server";

/** Liveness for load balancers and the test harness: the database answers. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async () => {
    await rawRows(getDb(), sql`select 1`);
    return new Response("ok", { headers: { "Cache-Control": "no-store" } });
  });
}
