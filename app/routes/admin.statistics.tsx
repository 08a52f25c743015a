import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import uplotStyles from "uplot/dist/uPlot.min.css?url";
import { requireRole } from "~/auth/guards.server";
import { StatisticsBody } from "~/components/statistics";
import { handleLoader } from "~/http/pipeline.server";
import { platformStatistics } from "~/statistics/records.server";

export const meta: MetaFunction = () => [{ title: "Platform statistics · HemaLink" }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: uplotStyles }];

/** The whole platform's final answers, de-identified, small counts suppressed. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "admin");
    return platformStatistics(user);
  });
}

export default function AdminStatisticsPage() {
  const statistics = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <p className="no-print">
        <Link to="/admin">← Administration</Link>
      </p>
      <h1>Platform statistics</h1>
      <p>
        Every analysis on HemaLink with a hematologist&apos;s final answer, counted without names or
        identifiers.
      </p>
      <StatisticsBody statistics={statistics} csvHref="/admin/statistics.csv" />
    </section>
  );
}
