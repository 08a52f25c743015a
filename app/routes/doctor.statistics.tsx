import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { StatisticsPage, statisticsLinks } from "~/components/statistics";
import { handleLoader } from "~/http/pipeline.server";
import { doctorStatistics } from "~/statistics/records.server";

export const meta: MetaFunction = () => [{ title: "My statistics · HemaLink" }];

export const links = statisticsLinks;

/** A certified doctor's statistics over the analyses whose final answer they gave. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) =>
    doctorStatistics(await requireRole(request, "doctor")),
  );
}

export default function DoctorStatisticsPage() {
  return (
    <StatisticsPage
      back={{ to: "/doctor", label: "Doctor dashboard" }}
      title="My statistics"
      intro="The analyses whose final answer you gave, and how your answers compared with the model."
      statistics={useLoaderData<typeof loader>()}
      csvHref="/doctor/statistics.csv"
    />
  );
}
