import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { getFormProps } from "@conform-to/react";
import { requireRole } from "~/auth/guards.server";
import { certifiedProfileOf } from "~/clinic/access.server";
import { savePatientIntent } from "~/clinic/intents.server";
import { createClinicPatient } from "~/clinic/patients.server";
import {
  ClinicPatientFields,
  DuplicatesNotice,
  useClinicPatientForm,
} from "~/components/clinic-patient-form";
import { FormErrors, replyTo } from "~/components/forms";
import { handleAction, handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Register a patient · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    await certifiedProfileOf(user);
    return null;
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "doctor",
    intents: { default: savePatientIntent((user, value) => createClinicPatient(user, value)) },
  });
}

export default function NewClinicPatientPage() {
  const result = useActionData<typeof action>();
  const [form, fields] = useClinicPatientForm(replyTo(result, "default"));
  return (
    <section className="panel">
      <h1>Register a patient</h1>
      <p>
        A patient of your practice. Only you see their record; you can later invite them to claim it
        in their own HemaLink account.
      </p>
      <Form method="post" className="form" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <DuplicatesNotice result={result} />
        <ClinicPatientFields fields={fields} />
        <button type="submit">Save the patient</button>
      </Form>
    </section>
  );
}
