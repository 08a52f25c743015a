import type { MetaFunction } from "@remix-run/node";
import { Link, useRouteLoaderData } from "@remix-run/react";
import type { loader as rootLoader } from "~/root";
import { LinkButtons } from "~/components/link-buttons";

export const meta: MetaFunction = () => [{ title: "HemaLink · smear staging and hematologists" }];

export default function HomePage() {
  const root = useRouteLoaderData<typeof rootLoader>("root");
  const user = root?.user;
  return (
    <>
      <section className="panel">
        <h1>HemaLink</h1>
        <p>
          An open telemedicine service for hematology. Patients and parents can have a photo of a
          stained peripheral blood smear staged for B-cell acute lymphoblastic leukemia (benign,
          early pre-B, pre-B or pro-B), find certified hematologists nearby, and share the case with
          one of them. Hematologists answer shared cases and confirm or correct the result.
        </p>
        <p className="notice">
          <strong>Not a diagnosis.</strong> Results are preliminary and informational. Only a
          hematologist, with laboratory tests, can diagnose leukemia.
        </p>
        {user ? (
          <Link className="button" to={user.home}>
            Go to my dashboard
          </Link>
        ) : (
          <LinkButtons
            links={[
              { to: "/register", label: "Create an account" },
              { to: "/login", label: "Log in" },
            ]}
          />
        )}
      </section>
      <section className="panel">
        <h2>Who it is for</h2>
        <ul>
          <li>
            <strong>Patients and parents</strong> who have a smear image and want to know what to
            ask, and whom to see.
          </li>
          <li>
            <strong>Hematologists</strong> who review shared cases remotely, once their licence and
            certification are verified.
          </li>
        </ul>
      </section>
    </>
  );
}
