import type { MetaFunction } from "@remix-run/node";
import { Link } from "@remix-run/react";

export const meta: MetaFunction = () => [{ title: "Account deleted · HemaLink" }];

export default function AccountDeletedPage() {
  return (
    <section className="panel">
      <h1>Your account was deleted</h1>
      <p>
        Your analyses, images, consultations, messages and reviews have been removed, and you have
        been signed out everywhere. Any hematologist you had shared a case with has been told that
        it was withdrawn.
      </p>
      <p>
        <Link to="/">Back to the home page</Link>
      </p>
    </section>
  );
}
