import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { getOwnPhoto } from "~/doctors/photo.server";
import { handleLoader } from "~/http/pipeline.server";
import { privateImageResponse } from "~/uploads/storage.server";

/** The doctor's own photo, shown on their profile page before (and while) it is verified. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    return privateImageResponse({ bytes: await getOwnPhoto(user), contentType: "image/jpeg" });
  });
}
