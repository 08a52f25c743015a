import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CLASS_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { imageGroups } from "~/clinic/records.server";
import { RecordsQuerySchema } from "~/clinic/validation";
import { RecordFilters, recordsSearch } from "~/components/record-filters";
import { DOCTOR_CLASS_LABELS } from "~/consultations/vocabulary";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Images by class · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const query = RecordsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const groups = await imageGroups(user, query);
    return {
      query: { ...query, page: undefined },
      groups: groups.map((g) => ({
        doctorClass: g.doctorClass,
        total: g.total,
        images: g.records.map((r) => ({
          consultationId: r.consultationId,
          patientName: r.patientName,
          createdAt: r.createdAt.toISOString(),
          model: r.verdict === "ok" ? CLASS_LABELS[r.topClass] : "Can't assess",
        })),
      })),
    };
  });
}

export default function RecordImagesPage() {
  const { query, groups } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Images by final class</h1>
      <p>
        The analysed images of your records, under the class you (or the doctor of a shared case)
        decided. Open one to zoom into it with the heat-map.{" "}
        <Link to={`/doctor/records${recordsSearch(query)}`}>Back to the list</Link>
      </p>
      <RecordFilters query={query} action="/doctor/records/images" />
      {groups.length === 0 && <p>No records match these filters.</p>}
      {groups.map((g) => {
        const title = g.doctorClass ? DOCTOR_CLASS_LABELS[g.doctorClass] : "No decision yet";
        return (
          <section key={g.doctorClass ?? "undecided"} aria-label={title}>
            <h2>
              {title} ({g.total})
            </h2>
            {g.total > g.images.length && (
              <p>
                The {g.images.length} newest.{" "}
                <Link
                  to={`/doctor/records${recordsSearch(g.doctorClass ? { ...query, finalClass: g.doctorClass } : { ...query, agreement: "unanswered" })}`}
                >
                  List all {g.total}
                </Link>
              </p>
            )}
            <ul className="image-grid">
              {g.images.map((image) => (
                <li key={image.consultationId}>
                  <Link to={`/doctor/cases/${image.consultationId}`}>
                    <img
                      src={`/doctor/cases/${image.consultationId}/image/thumbnail`}
                      alt={`Smear of ${image.patientName}, ${image.createdAt.slice(0, 10)}`}
                      width={128}
                      height={128}
                      loading="lazy"
                    />
                    <span>
                      {image.patientName} · {image.createdAt.slice(0, 10)}
                      <br />
                      Model: {image.model}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </section>
  );
}
