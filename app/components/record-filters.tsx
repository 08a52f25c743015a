/** The records browser's filters: a GET form, so a filtered list is a link and works without JavaScript. */
import { Form } from "@remix-run/react";
import { CLASS_IDS, CLASS_LABELS } from "~/analyses/vocabulary";
import type { RecordsQuery } from "~/clinic/validation";
import {
  AGREEMENTS,
  AGREEMENT_LABELS,
  RECORD_ORIGINS,
  RECORD_ORIGIN_LABELS,
} from "~/clinic/vocabulary";
import {
  CONSULTATION_STATUSES,
  DOCTOR_CLASSES,
  DOCTOR_CLASS_LABELS,
  STATUS_LABELS,
} from "~/consultations/vocabulary";

/** The filters as a query string (empty ones left out), with `page` set or dropped. */
export function recordsSearch(query: RecordsQuery, page?: number) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...query, page })) {
    if (value !== undefined && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

type Option = { value: string; label: string };
const options = (ids: readonly string[], labels: Record<string, string>): Option[] =>
  ids.map((value) => ({ value, label: labels[value]! }));

export function RecordFilters({ query, action }: { query: RecordsQuery; action: string }) {
  const select = (name: keyof RecordsQuery, label: string, choices: Option[]) => (
    <div className="field">
      <label htmlFor={`filter-${name}`}>{label}</label>
      <select id={`filter-${name}`} name={name} defaultValue={String(query[name] ?? "")}>
        <option value="">Any</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <Form method="get" action={action} className="admin-filters" role="search">
      {select("finalClass", "Final class", options(DOCTOR_CLASSES, DOCTOR_CLASS_LABELS))}
      {select("modelClass", "Model class", options(CLASS_IDS, CLASS_LABELS))}
      {select("agreement", "Model vs doctor", options(AGREEMENTS, AGREEMENT_LABELS))}
      {select("status", "Status", options(CONSULTATION_STATUSES, STATUS_LABELS))}
      {select("origin", "Records", options(RECORD_ORIGINS, RECORD_ORIGIN_LABELS))}
      <div className="field">
        <label htmlFor="filter-from">From</label>
        <input id="filter-from" type="date" name="from" defaultValue={query.from ?? ""} />
      </div>
      <div className="field">
        <label htmlFor="filter-to">To</label>
        <input id="filter-to" type="date" name="to" defaultValue={query.to ?? ""} />
      </div>
      <div className="field">
        <label htmlFor="filter-patient">Patient name or ID</label>
        <input
          id="filter-patient"
          type="search"
          name="patient"
          defaultValue={query.patient ?? ""}
          maxLength={120}
        />
      </div>
      <button type="submit">Show</button>
    </Form>
  );
}
