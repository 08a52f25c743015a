import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { lazy, Suspense } from "react";
import { getOptionalUser } from "~/auth/guards.server";
import { can } from "~/auth/permissions";
import { ClientOnly } from "~/components/client-only";
import { alwaysShowsMap, mapLinks } from "~/map/links";
// Conform-free (form-fields, not forms): the page stays well under its weight budget (decision 066).
import {
  controlProps,
  Field,
  FormErrors,
  RadioGroup,
  replyTo,
  usePlainForm,
} from "~/components/form-fields";
import { getListedDoctor, isOwnProfile } from "~/doctors/public.server";
import { SPECIALTIES, type Specialty } from "~/doctors/specialties";
import { DoctorAvatar, feeSummary, ReplyTime } from "~/components/doctor-details";
import { practiceLabel, yearsInPractice } from "~/doctors/profile-details";
import { mapTiles } from "~/env.server";
import {
  deleteOwnReview,
  getOwnReview,
  listReviews,
  ratingSummary,
  replyToReview,
  reportReview,
  saveOwnReview,
} from "~/reviews/reviews.server";
import { REVIEW_RULES } from "~/reviews/review-rules";
import { ReplySchema, ReportSchema, ReviewRefSchema, ReviewSchema } from "~/reviews/validation";
import { handleAction, handleLoader, intent } from "~/http/pipeline.server";
import { invalid } from "~/errors/domain-error";

const DoctorMap = lazy(() => import("~/map/map.client"));

export const links = mapLinks;
export const handle = alwaysShowsMap;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.doctor.name ?? "Doctor"} · HemaLink` },
];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request, params }: LoaderFunctionArgs) => {
    const doctor = await getListedDoctor(params.id ?? "");
    const url = new URL(request.url);
    const page = Number(url.searchParams.get("page") ?? "1");
    if (!Number.isInteger(page) || page < 1 || page > 10_000) {
      throw invalid("Unknown page.");
    }
    const user = await getOptionalUser(request);
    const isPatient = can(user, { type: "patient:access" });
    const { url: tileUrl, attribution } = mapTiles();
    return {
      doctor: { ...doctor, verifiedAt: doctor.verifiedAt?.toISOString() ?? null },
      summary: await ratingSummary(doctor.id),
      // Only what the page shows: reviewers' first names, no user ids (the viewer's either).
      reviews: await listReviews(doctor.id, page, user),
      page,
      viewer: user
        ? { mayReview: isPatient, isThisDoctor: await isOwnProfile(user, doctor.id) }
        : null,
      // Cases are shared by patients; a visitor is asked to sign in on the way.
      mayShareCase: doctor.offersTeleconsultation && (!user || isPatient),
      ownReview: isPatient && user ? ((await getOwnReview(user, doctor.id)) ?? null) : null,
      tiles: { url: tileUrl, attribution },
      analysisId: url.searchParams.get("analysis"),
    };
  });
}

/** Back to the reviews of a doctor who is listed (an unlisted one is a 404). */
const backToReviews = async (params: { id?: string }) =>
  redirect(`/doctors/${(await getListedDoctor(params.id ?? "")).id}#reviews`);

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "user",
    intents: {
      review: intent(ReviewSchema, async ({ user, params, value }) => {
        await saveOwnReview(user, (await getListedDoctor(params.id ?? "")).id, value);
        return await backToReviews(params);
      }),
      "delete-review": intent(ReviewRefSchema, async ({ user, params, value }) => {
        await getListedDoctor(params.id ?? "");
        await deleteOwnReview(user, value.reviewId);
        return await backToReviews(params);
      }),
      reply: intent(ReplySchema.extend(ReviewRefSchema.shape), async ({ user, params, value }) => {
        await getListedDoctor(params.id ?? "");
        await replyToReview(user, value.reviewId, value.reply);
        return await backToReviews(params);
      }),
      report: intent(
        ReportSchema.extend(ReviewRefSchema.shape),
        async ({ user, params, value }) => {
          await getListedDoctor(params.id ?? "");
          await reportReview(user, value.reviewId, value.reason);
          return { reported: true };
        },
      ),
    },
  });
}

const starsLabel = (n: number) => `${n} ${n === 1 ? "star" : "stars"}`;

const RATINGS = [1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: starsLabel(n) }));

function ReviewForm({ ownReview }: { ownReview: { rating: number; body: string } | null }) {
  const result = useActionData<typeof action>();
  const { form, fields } = usePlainForm<"rating" | "body">({
    id: "review",
    lastResult: replyTo(result, "review"),
    defaultValue: ownReview
      ? { rating: String(ownReview.rating), body: ownReview.body }
      : undefined,
  });
  const { rating, body } = fields;
  return (
    <Form method="post" className="form" {...form.props}>
      <h3>{ownReview ? "Edit your review" : "Write a review"}</h3>
      <ul className="rules">
        {REVIEW_RULES.map((rule) => (
          <li key={rule}>{rule}</li>
        ))}
      </ul>
      <FormErrors id={form.errorId} errors={form.errors} />
      <RadioGroup
        legend="Rating"
        name={rating.name}
        options={RATINGS}
        defaultValue={rating.defaultValue}
        errors={rating.errors}
        errorId={rating.errorId}
      />
      <Field
        id={body.id}
        label="Your review"
        errors={body.errors}
        errorId={body.errorId}
        hint="20 to 2,000 characters."
      >
        <textarea {...controlProps(body)} rows={4} />
      </Field>
      <button type="submit" name="intent" value="review">
        {ownReview ? "Save my review" : "Post my review"}
      </button>
    </Form>
  );
}

export default function DoctorPage() {
  const { doctor, summary, reviews, page, viewer, mayShareCase, ownReview, tiles, analysisId } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <section className="panel">
        <div className="doctor-heading">
          <DoctorAvatar
            id={doctor.id}
            name={doctor.name}
            size={72}
            photo={doctor.hasPhoto ? `/doctors/${doctor.id}/photo` : null}
          />
          <div>
            <h1>
              {doctor.title ? `${doctor.title} ` : ""}
              {doctor.name} <span className="badge verified">Certified</span>
              {doctor.isDemo && <span className="badge">Demo profile</span>}
            </h1>
            <p>
              <ReplyTime stats={doctor} />
            </p>
          </div>
        </div>
        <p>
          {doctor.specialties.map((s) => SPECIALTIES[s as Specialty] ?? s).join(", ")} · speaks{" "}
          {doctor.languages.join(", ")}
        </p>
        <p>
          {doctor.clinicName}, {doctor.streetAddress}, {doctor.city}, {doctor.country}
        </p>
        <ul>
          <li>
            {doctor.offersTeleconsultation
              ? "Offers teleconsultation"
              : "In-person consultations only"}
          </li>
          <li>
            {doctor.acceptsNewPatients ? "Accepting new patients" : "Not accepting new patients"}
          </li>
          {doctor.boardCertifications.length > 0 && (
            <li>
              Board certification: {doctor.boardCertifications.join("; ")}
              {doctor.boardCertificationYear !== null &&
                ` (board-certified ${doctor.boardCertificationYear})`}
            </li>
          )}
          {doctor.practiceStartYear !== null && (
            <li>
              {practiceLabel(doctor.practiceStartYear)}
              {yearsInPractice(doctor.practiceStartYear)
                ? ` (since ${doctor.practiceStartYear})`
                : ""}
            </li>
          )}
          {feeSummary(doctor) && <li>Fees: {feeSummary(doctor)}</li>}
          {doctor.phone && <li>Phone: {doctor.phone}</li>}
          {doctor.website && (
            <li>
              Website:{" "}
              <a href={doctor.website} rel="nofollow noopener noreferrer">
                {doctor.website}
              </a>
            </li>
          )}
        </ul>
        {doctor.bio && <p className="bio">{doctor.bio}</p>}
        {doctor.education.length > 0 && (
          <>
            <h2>Education and training</h2>
            <ul className="education">
              {doctor.education.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </>
        )}
        {doctor.lat !== null && doctor.lng !== null && (
          <div className="map-frame small">
            <ClientOnly fallback={null}>
              {() => (
                <Suspense fallback={null}>
                  <DoctorMap
                    tiles={tiles}
                    markers={[
                      {
                        id: doctor.id,
                        lat: doctor.lat!,
                        lng: doctor.lng!,
                        label: doctor.clinicName ?? doctor.name,
                      },
                    ]}
                  />
                </Suspense>
              )}
            </ClientOnly>
          </div>
        )}
        {mayShareCase && (
          <p>
            <Link
              className="button"
              to={`/consultations/new?doctor=${doctor.id}${analysisId ? `&analysis=${encodeURIComponent(analysisId)}` : ""}`}
            >
              Share a case with {doctor.title ? `${doctor.title} ` : ""}
              {doctor.name}
            </Link>
          </p>
        )}
        <p>
          <Link to="/doctors">Back to the finder</Link>
        </p>
      </section>

      <section className="panel" id="reviews" aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">Reviews</h2>
        {summary.count === 0 ? (
          <p>No reviews yet.</p>
        ) : (
          <div className="rating-summary">
            <p>
              <strong>{summary.mean!.toFixed(1)}</strong> out of 5 from {summary.count}{" "}
              {summary.count === 1 ? "review" : "reviews"} (ranking score{" "}
              {summary.bayesian.toFixed(2)})
            </p>
            <table>
              <caption>Rating distribution</caption>
              <tbody>
                {[...summary.distribution].reverse().map((d) => (
                  <tr key={d.stars}>
                    <th scope="row">{starsLabel(d.stars)}</th>
                    <td>{d.count}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {result && "reported" in result && result.reported && (
          <p role="status">Thank you: an administrator will look at this review.</p>
        )}
        <ol className="reviews">
          {reviews.items.map((r) => (
            <li key={r.id} className="review">
              <p>
                <span aria-label={`${r.rating} out of 5 stars`}>
                  {"★".repeat(r.rating) + "☆".repeat(5 - r.rating)}
                </span>{" "}
                {r.verifiedConsultation ? (
                  <span className="badge verified">Verified consultation</span>
                ) : (
                  <span className="badge">No consultation through HemaLink</span>
                )}{" "}
                <small>
                  {r.authorFirstName} ·{" "}
                  <time dateTime={String(r.createdAt)}>
                    {new Date(r.createdAt).toISOString().slice(0, 10)}
                  </time>
                </small>
              </p>
              <p className="review-body">{r.body}</p>
              {r.doctorReply && (
                <blockquote className="reply">
                  <p>
                    <strong>Reply from the doctor</strong>
                  </p>
                  <p>{r.doctorReply}</p>
                </blockquote>
              )}
              {viewer?.isThisDoctor && (
                <details>
                  <summary>{r.doctorReply ? "Edit your reply" : "Reply publicly"}</summary>
                  <Form method="post" className="form">
                    <input type="hidden" name="reviewId" value={r.id} />
                    <p className="hint">
                      Replies are public. Do not confirm or deny that the reviewer was your patient,
                      and share no health details.
                    </p>
                    <div className="field">
                      <label htmlFor={`reply-${r.id}`}>Your reply</label>
                      <textarea
                        id={`reply-${r.id}`}
                        name="reply"
                        rows={3}
                        maxLength={2000}
                        defaultValue={r.doctorReply ?? ""}
                        required
                      />
                    </div>
                    <button type="submit" name="intent" value="reply">
                      Publish reply
                    </button>
                  </Form>
                </details>
              )}
              {r.isOwn && (
                <Form method="post">
                  <input type="hidden" name="reviewId" value={r.id} />
                  <button type="submit" name="intent" value="delete-review" className="secondary">
                    Delete my review
                  </button>
                </Form>
              )}
              {viewer && !r.isOwn && (
                <details>
                  <summary>Report this review</summary>
                  <Form method="post" className="form">
                    <input type="hidden" name="reviewId" value={r.id} />
                    <div className="field">
                      <label htmlFor={`reason-${r.id}`}>Reason</label>
                      <input
                        id={`reason-${r.id}`}
                        name="reason"
                        minLength={5}
                        maxLength={500}
                        required
                      />
                    </div>
                    <button type="submit" name="intent" value="report">
                      Send report
                    </button>
                  </Form>
                </details>
              )}
            </li>
          ))}
        </ol>
        {reviews.pages > 1 && (
          <nav aria-label="Review pages">
            {page > 1 && <Link to={`?page=${page - 1}#reviews`}>Newer reviews</Link>}{" "}
            {page < reviews.pages && <Link to={`?page=${page + 1}#reviews`}>Older reviews</Link>}
          </nav>
        )}
        {viewer?.mayReview && <ReviewForm ownReview={ownReview} />}
        {!viewer && (
          <p>
            <Link to={`/login?redirectTo=/doctors/${doctor.id}`}>Sign in</Link> to write a review.
          </p>
        )}
      </section>
    </>
  );
}
