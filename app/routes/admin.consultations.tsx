import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { CLASS_IDS, CLASS_LABELS } from "~/analyses/vocabulary";
import {
  confirmsModel,
  CONSULTATION_STATUSES,
  DOCTOR_CLASS_LABELS,
  DOCTOR_CLASSES,
  STATUS_LABELS,
} from "~/consultations/vocabulary";
import { consultationMonitoring } from "~/consultations/monitoring.server";
import { ScrollingTable } from "~/components/scrolling-table";
import { handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Consultation monitoring · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "admin");
    return await consultationMonitoring(user);
  });
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A duration for people: "45 min", "3.2 h", "1.5 days". */
export function formatDuration(ms: number): string {
  if (ms < HOUR) return `${Math.max(0, Math.round(ms / 60_000))} min`;
  if (ms < DAY) return `${(ms / HOUR).toFixed(1)} h`;
  return `${(ms / DAY).toFixed(1)} days`;
}

const percent = (rate: number) => `${Math.round(rate * 100)} %`;

export default function AdminConsultationsPage() {
  const m = useLoaderData<typeof loader>();
  const total = CONSULTATION_STATUSES.reduce((sum, s) => sum + m.statusCounts[s], 0);
  return (
    <section className="panel">
      <p>
        <Link to="/admin">← Administration</Link>
      </p>
      <h1>Consultation monitoring</h1>

      <h2>Consultations by status</h2>
      <ScrollingTable
        label="Consultations by status"
        caption={<>All {total} consultations by their current status</>}
        columns={["Status", "Consultations"]}
      >
        <tbody>
          {CONSULTATION_STATUSES.map((s) => (
            <tr key={s}>
              <th scope="row">{STATUS_LABELS[s]}</th>
              <td>{m.statusCounts[s]}</td>
            </tr>
          ))}
        </tbody>
      </ScrollingTable>

      <h2>Response times</h2>
      <ul>
        <li>
          Median time to a first response (accepted or declined):{" "}
          {m.medianFirstResponseMs === null
            ? "no responses yet"
            : formatDuration(m.medianFirstResponseMs)}
        </li>
        <li>
          Median time from request to answer:{" "}
          {m.medianResponseMs === null
            ? "no answered consultations yet"
            : formatDuration(m.medianResponseMs)}
        </li>
      </ul>

      <h2>Doctors and the model</h2>
      {m.answered === 0 ? (
        <p>No answered consultations yet.</p>
      ) : (
        <>
          <p>
            {m.confirmationRate === null
              ? "No answered consultation was on an image the model staged."
              : `Doctors confirmed the model in ${m.confirmed} of ${m.compared} answered consultations (${percent(m.confirmationRate)}).`}
          </p>
          {m.modelCantAssess > 0 && (
            <p>
              Not counted: {m.modelCantAssess} answered consultation
              {m.modelCantAssess === 1 ? " was on an image" : "s were on images"} the model could
              not assess.
            </p>
          )}
          <p>
            Doctors found {m.notAssessable} of {m.answered} answered images not assessable.
          </p>
          {m.compared > 0 && (
            <ScrollingTable
              label="Agreement between the model and the doctors"
              caption={
                <>
                  Agreement (rows: the model&apos;s class, columns: the doctor&apos;s assessment;
                  agreements in bold: the same class, or “{DOCTOR_CLASS_LABELS.no_leukaemia_seen}”
                  or “{DOCTOR_CLASS_LABELS.reactive_changes}” for {CLASS_LABELS.benign})
                </>
              }
              className="confusion"
              columns={[null, ...DOCTOR_CLASSES.map((d) => DOCTOR_CLASS_LABELS[d])]}
            >
              <tbody>
                {CLASS_IDS.map((model) => (
                  <tr key={model}>
                    <th scope="row">{CLASS_LABELS[model]}</th>
                    {DOCTOR_CLASSES.map((d) => (
                      <td key={d} className={confirmsModel(d, model) ? "diagonal" : undefined}>
                        {m.agreement[model][d]}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </ScrollingTable>
          )}
          {m.topDoctors.length > 0 && (
            <ScrollingTable
              label="Doctors with the most answered consultations"
              caption="Doctors with the most answered consultations"
              columns={["Doctor", "Answered", "Confirmed the model"]}
            >
              <tbody>
                {m.topDoctors.map((d) => (
                  <tr key={d.doctorProfileId}>
                    <th scope="row">
                      <Link to={`/doctors/${d.doctorProfileId}`}>{d.name}</Link>
                    </th>
                    <td>{d.answered}</td>
                    <td>
                      {d.confirmed}
                      {d.rate !== null && ` (${percent(d.rate)})`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </ScrollingTable>
          )}
        </>
      )}
    </section>
  );
}
