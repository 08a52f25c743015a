import type { LoaderFunctionArgs } from "@remix-run/node";
import { analysisToFhir } from "~/analyses/fhir";
import { requireRole } from "~/auth/guards.server";
import { clinicRecordImage, getClinicRecord } from "~/clinic/report.server";
import { attachmentResponse } from "~/http/attachment.server";
import { handleLoader } from "~/http/pipeline.server";

/** A clinic record as FHIR: the clinic patient as subject, the practitioner as performer. */
export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "doctor");
    const { patient, analysis, final } = await getClinicRecord(user, params.id ?? "");
    const baseUrl = new URL(request.url).origin;
    const report = analysisToFhir({
      analysis,
      patientName: patient.name,
      patient: {
        identifier: {
          system: `${baseUrl}/fhir/clinic-patient-id/${user.id}`,
          value: patient.clinicRef,
        },
        birthDate: patient.birthDate,
        gender: patient.sex,
      },
      imageJpeg: await clinicRecordImage(analysis.imageKey),
      baseUrl,
      final,
    });
    return attachmentResponse(JSON.stringify(report, null, 2), {
      contentType: "application/fhir+json; charset=utf-8",
      filename: `hemalink-${analysis.id}.fhir.json`,
    });
  });
}
