import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import uplotStyles from "uplot/dist/uPlot.min.css?url";
import { requireRole } from "~/auth/guards.server";
import { StatisticsBody } from "~/components/statistics";
import { handleLoader } from "~/http/pipeline.server";
import { doctorStatistics } from "~/statistics/records.server";

export const meta: MetaFunction = () => [{ title: "My statistics · HemaLink" }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: uplotStyles }];

/** A certified doctor's statistics over the analyses whose final answer they gave. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    return doctorStatistics(user);
  });
}

export default function DoctorStatisticsPage() {
  const statistics = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <p className="no-print">
        <Link to="/doctor">← Doctor dashboard</Link>
      </p>
      <h1>My statistics</h1>
      <p>The analyses whose final answer you gave, and how your answers compared with the model.</p>
      <StatisticsBody statistics={statistics} csvHref="/doctor/statistics.csv" />
    </section>
  );
}
