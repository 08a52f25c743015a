import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";

export const meta: MetaFunction = () => [{ title: "My dashboard · HemaLink" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireRole(request, "patient");
  return { name: user.displayName };
}

export default function PatientDashboard() {
  const { name } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Welcome, {name}</h1>
      <h2>Your analyses</h2>
      <p>
        You have no analyses yet. Your next step: have a photo or scan of your stained blood smear
        ready; smear uploads open here as soon as the staging service is switched on.
      </p>
      <p className="notice">
        Results are preliminary and informational, not a diagnosis: a hematologist must confirm.
      </p>
    </section>
  );
}
