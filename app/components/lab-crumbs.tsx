import type { ReactNode } from "react";
import { Link } from "@remix-run/react";

/**
 * The trail above a model lab page: "Model lab › here", or "Model lab › via › here" on a page
 * of one dataset or job, each step before the last a link.
 */
export function LabCrumbs({ via, here }: { via?: { to: string; label: string }; here: ReactNode }) {
  return (
    <p>
      <Link to="/admin/models">Model lab</Link> ›{" "}
      {via && (
        <>
          <Link to={via.to}>{via.label}</Link> ›{" "}
        </>
      )}
      {here}
    </p>
  );
}
