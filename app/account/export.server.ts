/**
 * "Download my data" (docs/decisions/036): one zip, streamed, holding a FHIR R4 Bundle
 * (type collection) of the patient, every analysis as a DiagnosticReport with its
 * Observations, every consultation as a ServiceRequest and every message as a
 * Communication, plus the stored images the reports point to, and a README. Everything is
 * read through the patient's own scoped reads; nothing of another patient can be in it.
 */
import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { users } from "#db/schema";
import { listOwnAnalyses } from "~/analyses/analyses.server";
import { analysisToFhir } from "~/analyses/fhir";
import { auditSuccess } from "~/audit/audit.server";
import { can, type Actor } from "~/auth/permissions";
import { finalReviewFor } from "~/consultations/final.server";
import { listMessages } from "~/consultations/messages.server";
import { listOwnConsultations } from "~/consultations/queries.server";
import { STATUS_LABELS, type ConsultationStatus } from "~/consultations/vocabulary";
import { notFound } from "~/errors/domain-error";
import { zipStream, type ZipEntry } from "~/http/zip-stream.server";
import { getImageStore, IMAGE_FILE_NAMES, IMAGE_FILES } from "~/uploads/storage.server";
import { EXPORT_CONTENTS, EXPORT_FILE_PREFIX } from "./vocabulary";

type Resource = { resourceType: string; id?: string; [field: string]: unknown };
type Entry = { fullUrl: string; resource: Resource };

const urn = (id: string) => `urn:uuid:${id}`;

/** FHIR request-status of each consultation status. */
const REQUEST_STATUS: Record<ConsultationStatus, string> = {
  requested: "active",
  accepted: "active",
  answered: "completed",
  closed: "completed",
  declined: "revoked",
  withdrawn: "revoked",
};

/** Every `reference` to a contained resource (`#id`), pointed at its bundle entry instead. */
function rewriteReferences(value: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, map));
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] =
      key === "reference" && typeof field === "string" && map.has(field)
        ? map.get(field)
        : rewriteReferences(field, map);
  }
  return out;
}

/**
 * One analysis's report with its contained resources lifted into bundle entries (so every
 * Observation is an entry of its own), their references rewritten, the contained Patient
 * replaced by the bundle's.
 */
function reportEntries(report: Resource & { contained: Resource[] }, patientUrl: string): Entry[] {
  const map = new Map<string, string>([["#patient", patientUrl]]);
  const lifted = report.contained.filter((r) => r.resourceType !== "Patient");
  for (const resource of lifted) map.set(`#${resource.id}`, urn(crypto.randomUUID()));
  const { contained: _contained, ...rest } = report;
  return [
    { fullUrl: urn(report.id!), resource: rewriteReferences(rest, map) as Resource },
    ...lifted.map((resource) => {
      const fullUrl = map.get(`#${resource.id}`)!;
      return {
        fullUrl,
        resource: { ...(rewriteReferences(resource, map) as Resource), id: fullUrl.slice(9) },
      };
    }),
  ];
}

const imagePath = (analysisId: string, name: string) => `images/${analysisId}/${name}`;

/** The Bundle and the images it refers to, read for the patient. */
export async function patientBundle(actor: Actor, baseUrl: string) {
  if (!can(actor, { type: "patient:access" })) notFound();
  const user =
    (await getDb().select().from(users).where(eq(users.id, actor.id)).limit(1))[0] ?? notFound();
  const patientUrl = urn(user.id);
  const entries: Entry[] = [
    {
      fullUrl: patientUrl,
      resource: {
        resourceType: "Patient",
        id: user.id,
        name: [{ text: user.displayName }],
        telecom: [{ system: "email", value: user.email }],
        meta: { lastUpdated: user.updatedAt.toISOString() },
      },
    },
  ];
  const images: { path: string; key: string; file: (typeof IMAGE_FILE_NAMES)[number] }[] = [];
  const analyses = await listOwnAnalyses(actor);
  for (const analysis of analyses) {
    const report = analysisToFhir({
      analysis,
      patientName: user.displayName,
      imageUrl: imagePath(analysis.id, IMAGE_FILES.original.name),
      baseUrl,
      // listOwnAnalyses has scoped the analysis to this patient.
      final: await finalReviewFor(analysis.id),
    }) as unknown as Resource & { contained: Resource[] };
    entries.push(...reportEntries(report, patientUrl));
    for (const file of IMAGE_FILE_NAMES) {
      images.push({
        path: imagePath(analysis.id, IMAGE_FILES[file].name),
        key: analysis.imageKey,
        file,
      });
    }
  }
  const consultations = await listOwnConsultations(actor);
  let messageCount = 0;
  for (const c of consultations) {
    const requestUrl = urn(c.id);
    entries.push({
      fullUrl: requestUrl,
      resource: {
        resourceType: "ServiceRequest",
        id: c.id,
        status: REQUEST_STATUS[c.status],
        intent: "order",
        code: { text: "Hematology teleconsultation (store-and-forward)" },
        subject: { reference: patientUrl },
        requester: { reference: patientUrl },
        performer: [{ display: c.doctorName }],
        authoredOn: c.requestedAt.toISOString(),
        reasonReference: [{ reference: urn(c.analysisId) }],
        note: [
          { text: c.message },
          { text: `Status: ${STATUS_LABELS[c.status]}${c.revokedAt ? " (access revoked)" : ""}` },
          ...(c.declineReason ? [{ text: `Declined: ${c.declineReason}` }] : []),
        ],
      },
    });
    for (const m of await listMessages(actor, c.id)) {
      messageCount += 1;
      entries.push({
        fullUrl: urn(m.id),
        resource: {
          resourceType: "Communication",
          id: m.id,
          status: "completed",
          basedOn: [{ reference: requestUrl }],
          subject: { reference: patientUrl },
          sent: m.createdAt.toISOString(),
          sender: m.mine ? { reference: patientUrl } : { display: c.doctorName },
          payload: [{ contentString: m.body }],
        },
      });
    }
  }
  const bundle = {
    resourceType: "Bundle",
    type: "collection",
    timestamp: new Date().toISOString(),
    meta: { source: baseUrl },
    entry: entries,
  };
  return {
    name: user.displayName,
    bundle,
    images,
    counts: {
      analyses: analyses.length,
      consultations: consultations.length,
      messages: messageCount,
    },
  };
}

function readme(
  name: string,
  counts: { analyses: number; consultations: number; messages: number },
) {
  return [
    `Your HemaLink data, exported ${new Date().toISOString()} for ${name}.`,
    "",
    "hemalink.fhir.json is a FHIR R4 Bundle (type collection) holding:",
    ...EXPORT_CONTENTS.map((line) => `  - ${line}`),
    "",
    `${counts.analyses} analyses, ${counts.consultations} consultations, ${counts.messages} messages.`,
    "images/<analysis id>/ holds original.jpg (the smear as stored: re-encoded, without EXIF or GPS),",
    "thumbnail.jpg and heatmap.png (what drove the model's output).",
    "",
    "The model's output is informational and not a diagnosis; a report reads final only once a",
    "hematologist has reviewed it.",
    "",
  ].join("\n");
}

/** The zip as a stream (one image in memory at a time), and its file name. The read is audited. */
export async function exportPatientData(actor: Actor, baseUrl: string) {
  const { name, bundle, images, counts } = await patientBundle(actor, baseUrl);
  await auditSuccess(actor, "account.export", {
    targetType: "user",
    targetId: actor.id,
    detail: `${counts.analyses} analyses, ${counts.consultations} consultations`,
  });
  const store = getImageStore();
  async function* entries(): AsyncGenerator<ZipEntry> {
    yield { path: "README.txt", text: readme(name, counts) };
    yield { path: "hemalink.fhir.json", text: JSON.stringify(bundle, null, 2) };
    for (const image of images) {
      const bytes = await store.get(image.key, image.file);
      if (bytes) yield { path: image.path, bytes: new Uint8Array(bytes) };
    }
  }
  const day = new Date().toISOString().slice(0, 10);
  return { stream: zipStream(entries()), filename: `${EXPORT_FILE_PREFIX}-${day}.zip` };
}
