import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { handleLoader } from "~/http/pipeline.server";
import { statisticsCsvResponse } from "~/statistics/csv.server";
import { platformStatistics } from "~/statistics/records.server";

/** GET /admin/statistics.csv?table=…: one table of the platform statistics. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "admin");
    return statisticsCsvResponse(
      await platformStatistics(user),
      request,
      "hemalink-platform-statistics",
    );
  });
}
