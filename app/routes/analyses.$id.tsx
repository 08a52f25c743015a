import type {
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
  ActionFunctionArgs,
} from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { deleteOwnAnalysis, getOwnAnalysis } from "~/analyses/analyses.server";
import { resultView } from "~/analyses/capture";
import { explainAnalysis } from "~/analyses/explain";
import { requireRole } from "~/auth/guards.server";
import { PreliminaryNotice, ResultSummary } from "~/components/analysis-result";
import { ImageViewer } from "~/components/image-viewer";
import viewerStyles from "~/components/image-viewer.css?url";
import { Assessment, StatusBadge } from "~/components/consultation";
import { listOwnConsultations } from "~/consultations/queries.server";
import { finalReviewFor } from "~/consultations/final.server";
import { doctorName } from "~/doctors/vocabulary";
import { handleAction, handleLoader, step } from "~/http/pipeline.server";
import { LinkButtons } from "~/components/link-buttons";

export const meta: MetaFunction = () => [{ title: "Analysis result · HemaLink" }];

export const links: LinksFunction = () => [{ rel: "stylesheet", href: viewerStyles }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "patient");
    const analysis = await getOwnAnalysis(user, params.id ?? "");
    return {
      analysis: {
        id: analysis.id,
        ...resultView(analysis),
        ageBracket: analysis.ageBracket,
        note: analysis.note,
      },
      // getOwnAnalysis above has scoped the analysis to this patient.
      final: await finalFor(analysis.id),
      consultations: (await listOwnConsultations(user, analysis.id)).map((c) => ({
        id: c.id,
        status: c.status,
        revoked: Boolean(c.revokedAt),
        doctorName: c.doctorName,
      })),
    };
  });
}

async function finalFor(analysisId: string) {
  const final = await finalReviewFor(analysisId);
  return (
    final && {
      doctorName: doctorName(final.doctorTitle, final.doctorName),
      doctorClass: final.doctorClass,
      urgency: final.urgency,
      recommendations: final.recommendations,
      morphology: final.morphology,
      answeredAt: final.answeredAt.toISOString(),
    }
  );
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "patient",
    intents: {
      default: step(async ({ user, params }) => {
        await deleteOwnAnalysis(user, params.id ?? "");
        return redirect("/analyses");
      }),
    },
  });
}

export default function AnalysisPage() {
  const { analysis, final, consultations } = useLoaderData<typeof loader>();
  const explanation = explainAnalysis(analysis);
  const base = `/analyses/${analysis.id}`;
  return (
    <>
      <section className="panel">
        <h1>Your smear analysis</h1>
        <p>
          <time dateTime={analysis.createdAt}>{new Date(analysis.createdAt).toUTCString()}</time>
        </p>
        {final && (
          <Assessment {...final} modelClass={analysis.topClass} modelVerdict={analysis.verdict} />
        )}
        <PreliminaryNotice modelVersion={analysis.modelVersion} reviewedBy={final?.doctorName} />
        <ResultSummary result={analysis} showNextStep={!final} reviewed={Boolean(final)} />
        {analysis.verdict === "cant_assess" ? (
          <LinkButtons
            links={[
              { to: "/analyses/new", label: "Try another image" },
              { to: "/guide/capture", label: "Capture guide" },
            ]}
          />
        ) : (
          <p>
            <Link
              className={explanation.malignant ? "button" : "button secondary"}
              to={`/doctors?analysis=${analysis.id}&near=1`}
            >
              Find hematologists near me
            </Link>
          </p>
        )}
        <ImageViewer
          imageUrl={`${base}/image/original`}
          heatmapUrl={analysis.verdict === "ok" ? `${base}/image/heatmap` : undefined}
          alt={analysis.verdict === "ok" ? "Your smear image" : "Your image"}
        />
      </section>
      <section className="panel no-print" aria-labelledby="share-heading">
        <h2 id="share-heading">Ask a hematologist</h2>
        {consultations.length > 0 && (
          <ul>
            {consultations.map((c) => (
              <li key={c.id}>
                <Link to={`/consultations/${c.id}`}>Consultation with {c.doctorName}</Link>{" "}
                <StatusBadge status={c.status} revoked={c.revoked} />
              </li>
            ))}
          </ul>
        )}
        <p>
          Share this analysis with a certified hematologist who offers teleconsultation: choose one
          in the finder, then “Share this case”.
        </p>
        <p>
          <Link className="button secondary" to={`/doctors?analysis=${analysis.id}`}>
            Share with a hematologist
          </Link>
        </p>
      </section>
      <section className="panel no-print">
        <h2>Keep or share</h2>
        <ul>
          <li>
            <Link to={`${base}/report`}>Printable report</Link>
          </li>
          <li>
            <a href={`${base}/fhir`} download={`hemalink-${analysis.id}.fhir.json`}>
              Export for a clinic system (FHIR R4 JSON)
            </a>
          </li>
        </ul>
        <details>
          <summary>Delete this analysis</summary>
          <Form method="post">
            <p>The image, the heat-map and the result will be permanently deleted.</p>
            <button type="submit">Delete permanently</button>
          </Form>
        </details>
      </section>
    </>
  );
}
