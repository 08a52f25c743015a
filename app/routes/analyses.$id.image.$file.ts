import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { readOwnAnalysisImage } from "~/analyses/analyses.server";
import { notFound, requireUser } from "~/auth/guards.server";
import { clientIp } from "~/security/request.server";
import { privateImageResponse } from "~/uploads/storage.server";

const FileParam = z.enum(["original", "thumbnail", "heatmap"]);

/** Patient images only through this guarded route: never cached, never sniffed. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const file = FileParam.safeParse(params.file);
  if (!file.success) notFound();
  const image = await readOwnAnalysisImage(
    user,
    params.id ?? "",
    file.data,
    clientIp(request, context),
  );
  return privateImageResponse(image);
}
