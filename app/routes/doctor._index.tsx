import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { getOwnVerification } from "~/doctors/verification.server";

export const meta: MetaFunction = () => [{ title: "Doctor dashboard · HemaLink" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, "doctor");
  return { name: user.displayName, verification: getOwnVerification(user) };
}

export default function DoctorDashboard() {
  const { name, verification } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Welcome, {name}</h1>
      {verification.status === "pending" && (
        <p>
          <span className="badge pending">Awaiting verification</span> An administrator will check
          your licence and board certification. Until then your profile is not listed and no cases
          can be shared with you.
        </p>
      )}
      {verification.status === "rejected" && (
        <p>
          <span className="badge">Verification declined</span> Reason:{" "}
          {verification.rejectionReason ?? "none given"}
        </p>
      )}
      {verification.status === "verified" && (
        <p>
          <span className="badge verified">Certified</span> Your profile is listed for patients.
        </p>
      )}
      <p>
        <Link className="button" to="/doctor/profile">
          Edit my profile
        </Link>
      </p>
      <h2>Shared cases</h2>
      <p>No cases have been shared with you yet.</p>
    </section>
  );
}
