import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { firstMessage } from "~/components/forms";
import { ActionOutcome, FilterForm, Pager } from "~/components/list-page";
import { requireRole } from "~/auth/guards.server";
import { doctorName } from "~/doctors/vocabulary";
import { listReviewsForAdmin } from "~/reviews/reviews.server";
import { moderationIntent } from "~/reviews/intents.server";
import { AdminReviewQuerySchema } from "~/reviews/validation";
import { handleAction, handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Reviews · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "admin");
    const params = new URL(request.url).searchParams;
    const query = AdminReviewQuerySchema.parse({
      show: params.get("show") ?? undefined,
      rating: params.get("rating") || undefined,
      doctor: params.get("doctor") ?? undefined,
      page: params.get("page") ?? undefined,
    });
    const { rows, ...paging } = await listReviewsForAdmin(user, query);
    return {
      query,
      ...paging,
      reviews: rows.map((r) => ({
        ...r,
        doctorName: doctorName(r.doctorTitle, r.doctorName),
        createdAt: r.createdAt.toISOString(),
      })),
    };
  });
}

export function action(args: ActionFunctionArgs) {
  return handleAction(args, {
    who: "admin",
    intents: {
      default: moderationIntent,
    },
  });
}

const SHOW_LABELS = { all: "All reviews", reported: "Reported", hidden: "Hidden" } as const;
const RATING_OPTIONS = [
  { value: "", label: "Any rating" },
  ...[5, 4, 3, 2, 1].map((n) => ({
    value: String(n),
    label: `${n} ${n === 1 ? "star" : "stars"}`,
  })),
];

export default function AdminReviewsPage() {
  const { query, total, page, pages, reviews } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const confirmation = result && "confirmation" in result ? result.confirmation : undefined;
  const error = firstMessage(result);
  const pageLink = (n: number) => {
    const search = new URLSearchParams({ show: query.show });
    if (query.rating) search.set("rating", String(query.rating));
    if (query.doctor) search.set("doctor", query.doctor);
    if (n > 1) search.set("page", String(n));
    return `/admin/reviews?${search}`;
  };
  return (
    <section className="panel">
      <h1>Reviews</h1>
      <ActionOutcome confirmation={confirmation} error={error} />
      <FilterForm
        filters={[
          {
            id: "review-show",
            name: "show",
            label: "Show",
            defaultValue: query.show,
            options: Object.entries(SHOW_LABELS).map(([value, label]) => ({ value, label })),
          },
          {
            id: "review-rating",
            name: "rating",
            label: "Rating",
            defaultValue: query.rating ? String(query.rating) : "",
            options: RATING_OPTIONS,
          },
          {
            id: "review-doctor",
            name: "doctor",
            label: "Doctor",
            defaultValue: query.doctor,
            placeholder: "Doctor's name",
          },
        ]}
      />
      <p aria-live="polite">
        {total === 0
          ? "No reviews match these filters."
          : `${total} ${total === 1 ? "review" : "reviews"} · page ${page} of ${pages}`}
      </p>
      <ul className="moderation-queue">
        {reviews.map((r) => (
          <li key={r.id} className="card">
            <p>
              Review of <Link to={`/doctors/${r.doctorId}`}>{r.doctorName}</Link>, {r.rating}{" "}
              {r.rating === 1 ? "star" : "stars"} ·{" "}
              <time dateTime={r.createdAt}>{r.createdAt.slice(0, 10)}</time>
              {r.verifiedConsultation && (
                <>
                  {" "}
                  · <span className="badge verified">Verified consultation</span>
                </>
              )}{" "}
              —{" "}
              {r.status === "hidden" ? (
                <strong>hidden</strong>
              ) : r.openReports > 0 ? (
                <strong>
                  {r.openReports} open {r.openReports === 1 ? "report" : "reports"}
                </strong>
              ) : (
                "visible"
              )}
            </p>
            <p className="review-body">{r.body}</p>
            {r.reasons && <p>Reasons given: {r.reasons}</p>}
            <Form method="post">
              <input type="hidden" name="reviewId" value={r.id} />
              {r.status === "hidden" ? (
                <button type="submit" name="decision" value="restore" className="secondary">
                  Restore this review
                </button>
              ) : (
                <>
                  <button type="submit" name="decision" value="hide">
                    Hide this review
                  </button>
                  {r.openReports > 0 && (
                    <>
                      {" "}
                      <button type="submit" name="decision" value="restore" className="secondary">
                        Keep it visible
                      </button>
                    </>
                  )}
                </>
              )}
            </Form>
          </li>
        ))}
      </ul>
      <Pager page={page} pages={pages} link={pageLink} />
    </section>
  );
}
