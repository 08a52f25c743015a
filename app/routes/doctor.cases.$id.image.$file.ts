import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { notFound, requireRole } from "~/auth/guards.server";
import { readCaseImage } from "~/consultations/consultations.server";
import { clientIp } from "~/security/request.server";
import { privateImageResponse } from "~/uploads/storage.server";

const FileParam = z.enum(["original", "thumbnail", "heatmap"]);

/** A shared case's images, for its doctor only while it is shared: never cached, never sniffed. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireRole(request, "doctor");
  const file = FileParam.safeParse(params.file);
  if (!file.success) notFound();
  const image = await readCaseImage(user, params.id ?? "", file.data, clientIp(request, context));
  return privateImageResponse(image);
}
