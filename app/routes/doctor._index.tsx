import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { listDoctorCases } from "~/consultations/queries.server";
import { getOwnVerification } from "~/doctors/verification.server";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Doctor dashboard · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const cases = await listDoctorCases(user);
    return {
      name: user.displayName,
      verification: (({ suspendedAt, verifiedAt, ...v }) => ({
        ...v,
        suspendedAt: suspendedAt?.toISOString() ?? null,
        verifiedAt: verifiedAt?.toISOString() ?? null,
      }))(await getOwnVerification(user)),
      waiting: cases.filter((c) => c.status === "requested").length,
      inProgress: cases.filter((c) => c.status === "accepted").length,
      total: cases.length,
    };
  });
}

export default function DoctorDashboard() {
  const { name, verification, waiting, inProgress, total } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Welcome, {name}</h1>
      {verification.status === "pending" && (
        <p>
          <span className="badge pending">Awaiting verification</span> An administrator will check
          your licence, board certification and the name, title and clinic patients see. Until then
          your profile is not listed, no cases can be shared with you, and cases shared earlier are
          hidden from you.
        </p>
      )}
      {verification.status === "rejected" && (
        <p>
          <span className="badge">Verification declined</span> Reason:{" "}
          {verification.rejectionReason ?? "none given"}. Correct your profile to ask for a new
          verification.
        </p>
      )}
      {verification.status === "suspended" && (
        <div role="note" className="notice" id="suspension-notice">
          <p>
            <span className="badge status-declined">Suspended</span> An administrator suspended your
            profile
            {verification.suspendedAt && <> on {verification.suspendedAt.slice(0, 10)}</>}.
          </p>
          <p>
            <strong>Reason:</strong>{" "}
            <span className="prewrap">{verification.suspensionReason}</span>
          </p>
          <p>
            Your profile is not listed, no cases can be shared with you, and the cases shared with
            you are hidden until the suspension is lifted.
          </p>
        </div>
      )}
      {verification.status === "verified" && (
        <p>
          <span className="badge verified">Certified</span> Your profile is listed for patients:{" "}
          <Link to={`/doctors/${verification.profileId}`}>see your public page</Link>.
        </p>
      )}
      <p>
        <Link className="button" to="/doctor/profile">
          Edit my profile
        </Link>
      </p>
      {verification.status === "verified" && (
        <nav aria-label="Clinic">
          <h2>My clinic</h2>
          <ul>
            <li>
              <Link to="/doctor/patients">My patients</Link>: register a walk-in patient, analyse a
              smear for them, decide and print.
            </li>
            <li>
              <Link to="/doctor/records">Records</Link>: your clinic records and shared cases by
              diagnosis, model class, agreement, date or patient;{" "}
              <Link to="/doctor/records/images">images by class</Link>.
            </li>
          </ul>
        </nav>
      )}
      <h2>Shared cases</h2>
      {verification.status !== "verified" ? (
        <p>Shared cases are hidden while your profile is not certified.</p>
      ) : total === 0 ? (
        <p>No cases have been shared with you yet.</p>
      ) : (
        <p>
          {waiting} new {waiting === 1 ? "request" : "requests"}, {inProgress} accepted and waiting
          for your answer. <Link to="/doctor/cases">Open your cases</Link>
        </p>
      )}
      {verification.status === "verified" && (
        <p>
          <Link to="/doctor/statistics">My statistics</Link>: your final answers by month, age group
          and country, and how often they confirmed the model.
        </p>
      )}
    </section>
  );
}
