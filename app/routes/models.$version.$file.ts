import type { LoaderFunctionArgs } from "@remix-run/node";
import { readModelFile } from "~/classifier/node.server";
import { handleLoader } from "~/http/pipeline.server";

/**
 * A model version's files from the models folder, for versions that are not among the build's
 * static files (promoted from the lab after the build). A version's files never change.
 */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ params }: LoaderFunctionArgs) => {
    const file = params.file ?? "";
    const bytes = await readModelFile(params.version ?? "", file);
    if (!bytes) return new Response("Not found", { status: 404 });
    return new Response(new Uint8Array(bytes), {
      headers: {
        "Content-Type": file.endsWith(".json") ? "application/json" : "application/octet-stream",
        "Cache-Control": "public, max-age=3600",
        "X-Content-Type-Options": "nosniff",
      },
    });
  });
}
