import { Fragment } from "react";
import { Link } from "@remix-run/react";

/** A row of links drawn as buttons: the first is the page's main way on, the others secondary. */
export function LinkButtons({ links }: { links: readonly { to: string; label: string }[] }) {
  return (
    <p>
      {links.map(({ to, label }, i) => (
        <Fragment key={to}>
          {i > 0 && " "}
          <Link className={i === 0 ? "button" : "button secondary"} to={to}>
            {label}
          </Link>
        </Fragment>
      ))}
    </p>
  );
}
