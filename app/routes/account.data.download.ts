import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportPatientData } from "~/account/export.server";
import { requireRole } from "~/auth/guards.server";
import { attachmentResponse } from "~/http/attachment.server";
import { handleLoader } from "~/http/pipeline.server";

/** GET /account/data/download: the patient's data as one zip, streamed. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const { stream, filename } = await exportPatientData(user, new URL(request.url).origin);
    return attachmentResponse(stream, { contentType: "application/zip", filename });
  });
}
