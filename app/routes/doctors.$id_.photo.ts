import type { LoaderFunctionArgs } from "@remix-run/node";
import { getListedPhoto } from "~/doctors/photo.server";
import { handleLoader } from "~/http/pipeline.server";

/**
 * A certified doctor's profile photo, public like the profile (a 404 for any other profile).
 * Revalidated on every use, so a suspended doctor's face stops showing at once.
 */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ params }: LoaderFunctionArgs) => {
    const bytes = await getListedPhoto(params.id ?? "");
    return new Response(new Uint8Array(bytes), {
      headers: {
        "Content-Type": "image/jpeg",
        "Cache-Control": "public, no-cache",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": "inline",
      },
    });
  });
}
