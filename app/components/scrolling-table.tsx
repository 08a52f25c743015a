import type { ReactNode } from "react";

/**
 * A wide table that scrolls inside its own box on a phone instead of the page; the box is
 * focusable and named so keyboard users can scroll it too. `columns` are the column headers
 * (`null`: the empty corner above the row headers); `children` the table's body.
 */
export function ScrollingTable({
  label,
  caption,
  className,
  columns,
  children,
}: {
  label: string;
  caption?: ReactNode;
  className?: string;
  columns: readonly ReactNode[];
  children: ReactNode;
}) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      <table className={className}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column, i) =>
              column === null ? (
                <td key={i} />
              ) : (
                <th key={i} scope="col">
                  {column}
                </th>
              ),
            )}
          </tr>
        </thead>
        {children}
      </table>
    </div>
  );
}
