import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { requireRole } from "~/auth/guards.server";
import { notFound } from "~/errors/domain-error";
import { readCaseImage } from "~/consultations/queries.server";
import { privateImageResponse } from "~/uploads/storage.server";
import { handleLoader } from "~/http/pipeline.server";

const FileParam = z.enum(["original", "thumbnail", "heatmap"]);

/** A shared case's images, for its doctor only while it is shared: never cached, never sniffed. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const file = FileParam.safeParse(params.file);
    if (!file.success) notFound();
    const image = await readCaseImage(user, params.id ?? "", file.data);
    return privateImageResponse(image);
  });
}
