import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { listRecords } from "~/clinic/records.server";
import { RecordsQuerySchema } from "~/clinic/validation";
import { RECORD_ORIGIN_LABELS } from "~/clinic/vocabulary";
import { StatusBadge } from "~/components/consultation";
import { Pager } from "~/components/list-page";
import { RecordFilters, recordsSearch } from "~/components/record-filters";
import { DOCTOR_CLASS_LABELS } from "~/consultations/vocabulary";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Records · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const query = RecordsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const { total, page, pages, records } = await listRecords(user, query);
    return {
      query: { ...query, page: undefined },
      total,
      page,
      pages,
      records: records.map((r) => ({
        ...r,
        createdAt: r.createdAt.toISOString(),
        answeredAt: r.answeredAt?.toISOString() ?? null,
      })),
    };
  });
}

export default function RecordsPage() {
  const { query, total, page, pages, records } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Records</h1>
      <p>
        Your clinic patients’ records and the cases patients shared with you.{" "}
        <Link to={`/doctor/records/images${recordsSearch(query)}`}>Browse the images by class</Link>{" "}
        · <Link to="/doctor/patients">My patients</Link>
      </p>
      <RecordFilters query={query} action="/doctor/records" />
      <p role="status">
        {total} {total === 1 ? "record" : "records"}
      </p>
      {records.length > 0 && (
        <ul className="record-list" aria-label="Records">
          {records.map((r) => (
            <li key={r.consultationId} className="card">
              <Link to={`/doctor/cases/${r.consultationId}`}>
                <strong>{r.patientName}</strong>
              </Link>
              {r.clinicRef && <> · ID {r.clinicRef}</>} <StatusBadge status={r.status} />
              <br />
              <time dateTime={r.createdAt}>{r.createdAt.slice(0, 10)}</time> ·{" "}
              {RECORD_ORIGIN_LABELS[r.origin]}
              <br />
              <span className="analysis-headline">
                {r.doctorClass ? (
                  <>
                    <span className="badge final">Final</span>{" "}
                    <strong>{DOCTOR_CLASS_LABELS[r.doctorClass]}</strong>
                  </>
                ) : (
                  "No decision yet"
                )}
                <span className="preliminary">
                  Model’s preliminary output:{" "}
                  {r.verdict === "ok" ? CLASS_LABELS[r.topClass] : "Can't assess"}
                </span>
              </span>
              {r.origin === "clinic" && r.doctorClass && (
                <Link to={`/doctor/records/${r.consultationId}/report`}>Signed report</Link>
              )}
            </li>
          ))}
        </ul>
      )}
      <Pager page={page} pages={pages} link={(p) => `/doctor/records${recordsSearch(query, p)}`} />
    </section>
  );
}
