import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { searchClinicPatients } from "~/clinic/patients.server";
import { PatientSearchSchema } from "~/clinic/validation";
import { SEX_LABELS } from "~/clinic/vocabulary";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "My patients · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const query = PatientSearchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
    const patients = await searchClinicPatients(user, query.q);
    return {
      q: query.q ?? "",
      deleted: query.deleted,
      patients: patients.map((p) => ({
        ...p,
        claimed: Boolean(p.claimedAt),
        claimedAt: undefined,
      })),
    };
  });
}

export default function ClinicPatientsPage() {
  const { q, deleted, patients } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>My patients</h1>
      {deleted !== undefined && (
        <p role="status" className="confirmation">
          The patient was deleted
          {deleted > 0 &&
            `, with ${deleted} ${deleted === 1 ? "analysis" : "analyses"} and their images`}
          .
        </p>
      )}
      <p>
        The patients of your own practice. Only you see them; every time you open one it is recorded
        in the audit log.
      </p>
      <p>
        <Link className="button" to="/doctor/patients/new">
          Register a patient
        </Link>{" "}
        <Link to="/doctor/records">Browse all records</Link>
      </p>
      <Form method="get" role="search" className="admin-filters">
        <div className="field">
          <label htmlFor="patient-search">Name or clinic patient ID</label>
          <input id="patient-search" type="search" name="q" defaultValue={q} maxLength={120} />
        </div>
        <button type="submit">Search</button>
      </Form>
      {patients.length === 0 ? (
        <p>{q ? `No patient matches “${q}”.` : "You have not registered a patient yet."}</p>
      ) : (
        <ul className="record-list" aria-label="Patients">
          {patients.map((p) => (
            <li key={p.id} className="card">
              <Link to={`/doctor/patients/${p.id}`}>
                <strong>{p.name}</strong>
              </Link>{" "}
              · ID {p.clinicRef}
              <br />
              Born <time dateTime={p.birthDate}>{p.birthDate}</time> · {SEX_LABELS[p.sex]} ·{" "}
              {p.records} {p.records === 1 ? "record" : "records"}
              {p.claimed && " · has claimed their records"}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
