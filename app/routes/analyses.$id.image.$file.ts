import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { readOwnAnalysisImage } from "~/analyses/analyses.server";
import { requireUser } from "~/auth/guards.server";
import { notFound } from "~/errors/domain-error";
import { privateImageResponse } from "~/uploads/storage.server";
import { handleLoader } from "~/http/pipeline.server";

const FileParam = z.enum(["original", "thumbnail", "heatmap"]);

/** Patient images only through this guarded route: never cached, never sniffed. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireUser(request);
    const file = FileParam.safeParse(params.file);
    if (!file.success) notFound();
    const image = await readOwnAnalysisImage(user, params.id ?? "", file.data);
    return privateImageResponse(image);
  });
}
