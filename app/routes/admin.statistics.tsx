import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { StatisticsPage, statisticsLinks } from "~/components/statistics";
import { handleLoader } from "~/http/pipeline.server";
import { platformStatistics } from "~/statistics/records.server";

export const meta: MetaFunction = () => [{ title: "Platform statistics · HemaLink" }];

export const links = statisticsLinks;

/** The whole platform's final answers, de-identified, small counts suppressed. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) =>
    platformStatistics(await requireRole(request, "admin")),
  );
}

export default function AdminStatisticsPage() {
  return (
    <StatisticsPage
      back={{ to: "/admin", label: "Administration" }}
      title="Platform statistics"
      intro="Every analysis on HemaLink with a hematologist's final answer, counted without names or identifiers."
      statistics={useLoaderData<typeof loader>()}
      csvHref="/admin/statistics.csv"
    />
  );
}
