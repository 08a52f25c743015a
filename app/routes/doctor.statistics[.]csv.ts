import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireRole } from "~/auth/guards.server";
import { handleLoader } from "~/http/pipeline.server";
import { statisticsCsvResponse } from "~/statistics/csv.server";
import { doctorStatistics } from "~/statistics/records.server";

/** GET /doctor/statistics.csv?table=…: one table of the doctor's statistics. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    return statisticsCsvResponse(await doctorStatistics(user), request, "hemalink-my-statistics");
  });
}
