import { getFormProps, getTextareaProps } from "@conform-to/react";
import type { z } from "zod";
import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { listOwnAnalyses } from "~/analyses/analyses.server";
import { CLASS_LABELS, CONFIDENCE_LABELS } from "~/analyses/vocabulary";
import { requireRole } from "~/auth/guards.server";
import { Field, FieldErrors, FormErrors, RadioGroup, useServerForm } from "~/components/forms";
import { isReturningPatient, shareAnalysis } from "~/consultations/lifecycle.server";
import { doctorName } from "~/doctors/vocabulary";
import { ShareFormSchema } from "~/consultations/validation";
import { getListedDoctor } from "~/doctors/public.server";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Share a case · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const url = new URL(request.url);
    const doctorId = url.searchParams.get("doctor");
    const doctor = doctorId ? await getListedDoctor(doctorId) : null;
    return {
      doctor: doctor && {
        id: doctor.id,
        name: doctorName(doctor.title, doctor.name),
        clinic: [doctor.clinicName, doctor.city].filter(Boolean).join(", "),
        tele: doctor.offersTeleconsultation,
        accepting: doctor.acceptsNewPatients || (await isReturningPatient(user, doctor.id)),
      },
      selected: url.searchParams.get("analysis"),
      analyses: distinctLabels(
        (await listOwnAnalyses(user)).map((a) => ({
          id: a.id,
          // Date and time to the minute, the model's output and its confidence: two analyses
          // of the same day and class still read differently.
          label: `${a.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC · ${
            a.verdict === "ok"
              ? `${CLASS_LABELS[a.topClass]}, ${CONFIDENCE_LABELS[a.confidence].toLowerCase()}`
              : "can't assess"
          }`,
          ageBracket: a.ageBracket,
        })),
      ),
    };
  });
}

/** Number labels that would still repeat (same minute, same output): "… (2)", "… (3)". */
function distinctLabels<T extends { label: string }>(items: T[]): T[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const n = (seen.get(item.label) ?? 0) + 1;
    seen.set(item.label, n);
    return n === 1 ? item : { ...item, label: `${item.label} (${n})` };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "patient",
    intents: {
      default: intent(ShareFormSchema, async ({ user, value: { analysisId, ...input } }) => {
        const consultation = await shareAnalysis(user, analysisId, input);
        return redirect(`/consultations/${consultation.id}`);
      }),
    },
  });
}

export default function ShareCasePage() {
  const { doctor, analyses, selected } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [form, fields] = useServerForm<z.input<typeof ShareFormSchema>>({
    id: "share",
    lastResult: result,
    defaultValue: { analysisId: selected ?? analyses[0]?.id },
  });
  if (!doctor) {
    return (
      <section className="panel">
        <h1>Share a case</h1>
        <p>
          Choose a certified hematologist who offers teleconsultation in the{" "}
          <Link to={selected ? `/doctors?analysis=${selected}` : "/doctors"}>doctor finder</Link>,
          then choose “Share a case” on their page.
        </p>
      </section>
    );
  }
  if (!doctor.tele) {
    return (
      <section className="panel">
        <h1>Share a case with {doctor.name}</h1>
        <p>
          {doctor.name} does not offer teleconsultation. <Link to="/doctors">Find another</Link>{" "}
          hematologist, or contact the clinic directly.
        </p>
      </section>
    );
  }
  if (!doctor.accepting) {
    return (
      <section className="panel">
        <h1>Share a case with {doctor.name}</h1>
        <p>
          {doctor.name} is not accepting new patients at the moment.{" "}
          <Link to={selected ? `/doctors?analysis=${selected}` : "/doctors"}>Find another</Link>{" "}
          hematologist who offers teleconsultation.
        </p>
      </section>
    );
  }
  if (analyses.length === 0) {
    return (
      <section className="panel">
        <h1>Share a case with {doctor.name}</h1>
        <p>
          You have no analyses to share yet. <Link to="/analyses/new">Analyse a smear</Link> first.
        </p>
      </section>
    );
  }
  return (
    <section className="panel">
      <h1>Share a case with {doctor.name}</h1>
      <p>{doctor.clinic}</p>
      <Form method="post" className="form" {...getFormProps(form)}>
        <input type="hidden" name={fields.doctorProfileId.name} value={doctor.id} />
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field
          id={fields.analysisId.id}
          label="Analysis to share"
          errors={fields.analysisId.errors}
          errorId={fields.analysisId.errorId}
        >
          <select
            id={fields.analysisId.id}
            name={fields.analysisId.name}
            defaultValue={fields.analysisId.initialValue}
            aria-describedby={fields.analysisId.errorId}
          >
            {analyses.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id={fields.message.id}
          label="Your message to the doctor"
          hint="Why you are asking, symptoms, your questions (10 to 2,000 characters)."
          errors={fields.message.errors}
          errorId={fields.message.errorId}
        >
          <textarea {...getTextareaProps(fields.message)} rows={5} />
        </Field>
        <RadioGroup
          legend="Whose smear is it? (optional)"
          name={fields.ageBracket.name}
          options={[
            { value: "child", label: "A child" },
            { value: "adult", label: "An adult" },
          ]}
          errors={fields.ageBracket.errors}
          errorId={fields.ageBracket.errorId}
        />
        <div className="field">
          <label className="inline">
            <input
              type="checkbox"
              name={fields.consent.name}
              value="on"
              aria-describedby={fields.consent.errorId}
            />{" "}
            {doctor.name} may see this image and result.
          </label>
          <FieldErrors id={fields.consent.errorId} errors={fields.consent.errors} />
          <small>
            You can withdraw the request before it is answered, and end the doctor’s access at any
            time.
          </small>
        </div>
        <button type="submit">Send to {doctor.name}</button>
      </Form>
    </section>
  );
}
