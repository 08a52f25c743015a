import { Form, Link } from "@remix-run/react";

/** The answer of a list page's last action: a confirmation, or the reason it was refused. */
export function ActionOutcome({ confirmation, error }: { confirmation?: string; error?: string }) {
  return (
    <>
      {confirmation && (
        <p role="status" className="confirmation">
          {confirmation}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </>
  );
}

type Filter = { id: string; name: string; label: string; defaultValue: string } & (
  | { placeholder: string; options?: never } // a free-text, contains-search filter
  | { options: readonly { value: string; label: string }[]; placeholder?: never }
);

/** A list's filters: a GET form (so a filtered list is a link), submitted with "Show". */
export function FilterForm({ filters }: { filters: readonly Filter[] }) {
  return (
    <Form method="get" className="admin-filters" role="search">
      {filters.map(({ id, name, label, defaultValue, placeholder, options }) => (
        <div className="field" key={name}>
          <label htmlFor={id}>{label}</label>
          {options ? (
            <select id={id} name={name} defaultValue={defaultValue}>
              {options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
          ) : (
            <input
              id={id}
              type="search"
              name={name}
              defaultValue={defaultValue}
              maxLength={100}
              placeholder={placeholder}
            />
          )}
        </div>
      ))}
      <button type="submit">Show</button>
    </Form>
  );
}

/** Previous / next page links of a paged list; nothing when everything fits one page. */
export function Pager({
  page,
  pages,
  link,
}: {
  page: number;
  pages: number;
  link: (page: number) => string;
}) {
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pages" className="pager">
      {page > 1 ? <Link to={link(page - 1)}>← Previous page</Link> : <span />}
      <span>
        Page {page} of {pages}
      </span>
      {page < pages ? <Link to={link(page + 1)}>Next page →</Link> : <span />}
    </nav>
  );
}
