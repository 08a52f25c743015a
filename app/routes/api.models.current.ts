import type { LoaderFunctionArgs } from "@remix-run/node";
import { activeVersion } from "~/classifier/node.server";
import { handleLoader } from "~/http/pipeline.server";

/**
 * Which model version is in use now. Private mode asks before every analysis, so a promotion
 * or a rollback reaches a page that is already open (never cached).
 */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async () =>
    Response.json({ version: await activeVersion() }, { headers: { "Cache-Control": "no-store" } }),
  );
}
