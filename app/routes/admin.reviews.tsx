import type { LoaderFunctionArgs, MetaFunction, ActionFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { requireRole } from "~/auth/guards.server";
import { moderationQueue } from "~/reviews/reviews.server";
import { moderationIntent } from "~/reviews/intents.server";
import { handleAction, handleLoader } from "~/http/pipeline.server";

export const meta: MetaFunction = () => [{ title: "Moderate reviews · HemaLink" }];

export function loader(args: LoaderFunctionArgs) {
  return handleLoader(args, async ({ request }: LoaderFunctionArgs) => {
    const user = await requireRole(request, "admin");
    return { queue: moderationQueue(user) };
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

export default function AdminReviewsPage() {
  const { queue } = useLoaderData<typeof loader>();
  return (
    <section className="panel">
      <h1>Reported and hidden reviews</h1>
      {queue.length === 0 && <p>Nothing to moderate.</p>}
      <ul className="moderation-queue">
        {queue.map((r) => (
          <li key={r.id} className="card">
            <p>
              Review of <Link to={`/doctors/${r.doctorId}`}>{r.doctorName}</Link>, {r.rating} stars
              —{" "}
              {r.status === "hidden" ? <strong>hidden</strong> : `${r.openReports} open report(s)`}
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
                  </button>{" "}
                  <button type="submit" name="decision" value="restore" className="secondary">
                    Keep it visible
                  </button>
                </>
              )}
            </Form>
          </li>
        ))}
      </ul>
    </section>
  );
}
