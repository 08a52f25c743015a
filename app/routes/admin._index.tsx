import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { listPendingDoctors } from "~/doctors/verification.server";
import { ScrollingTable } from "~/components/scrolling-table";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Admin · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "admin");
    const pending = await listPendingDoctors(user);
    // The ten latest submissions; the full queue (oldest first, with search) is on /admin/doctors.
    return { waiting: pending.length, pending: pending.slice(-10).reverse() };
  });
}

export default function AdminPage() {
  const { pending, waiting } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Administration</h1>
      <ul>
        <li>
          <Link to="/admin/doctors">Doctors: verify, search, suspend ({waiting} waiting)</Link>
        </li>
        <li>
          <Link to="/admin/reviews">Moderate reviews</Link>
        </li>
        <li>
          <Link to="/admin/consultations">Monitor consultations</Link>
        </li>
        <li>
          <Link to="/admin/models">Model lab: datasets and model versions</Link>
        </li>
        <li>
          <Link to="/admin/statistics">
            Platform statistics: final answers by month, age and country
          </Link>
        </li>
        <li>
          <Link to="/admin/research">
            Research dataset: consented, hematologist-labelled images
          </Link>
        </li>
      </ul>
      <h2>Doctors awaiting verification ({waiting})</h2>
      {waiting > pending.length && (
        <p>
          The {pending.length} latest are shown.{" "}
          <Link to="/admin/doctors?status=pending">See all {waiting} in the queue</Link>.
        </p>
      )}
      {pending.length === 0 ? (
        <p>No profiles are waiting. New hematologist registrations will appear here.</p>
      ) : (
        <ScrollingTable
          label="Doctors awaiting verification"
          columns={["Name", "Email", "Licence", "Location"]}
        >
          <tbody>
            {pending.map((doctor) => (
              <tr key={doctor.profileId}>
                <td>
                  {doctor.name} {doctor.isDemo && <span className="badge">demo</span>}
                </td>
                <td>{doctor.email}</td>
                <td>
                  {doctor.licenceNumber
                    ? `${doctor.licenceNumber} (${doctor.licenceAuthority ?? "authority not given"})`
                    : "not submitted yet"}
                </td>
                <td>{[doctor.city, doctor.country].filter(Boolean).join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </ScrollingTable>
      )}
    </section>
  );
}
