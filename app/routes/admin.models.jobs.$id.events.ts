import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/auth/guards.server";
import { handleLoader } from "~/http/pipeline.server";
import { jobEventStream } from "~/lab/stream.server";

/** A job's events as Server-Sent Events (the job page's live curves). */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "lab:use" });
    return await jobEventStream(user, params.id ?? "", request);
  });
}
