import type { LoaderFunctionArgs } from "@remix-run/node";
import { requirePermission } from "~/auth/guards.server";
import { attachmentResponse } from "~/http/attachment.server";
import { handleLoader } from "~/http/pipeline.server";
import { exportResearchDataset } from "~/research/export.server";

/** GET /admin/research/download: the research dataset as one zip, streamed. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requirePermission(request, { type: "research:export" });
    const { stream, filename } = await exportResearchDataset(user);
    return attachmentResponse(stream, { contentType: "application/zip", filename });
  });
}
