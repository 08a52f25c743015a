import { eq } from "drizzle-orm";
import { users } from "#db/schema";
import { action as doctorPageAction, loader as doctorPageLoader } from "~/routes/doctors.$id";
import {
  deleteOwnReview,
  listReviews,
  moderateReview,
  moderationQueue,
  ratingSummary,
  replyToReview,
  reportReview,
  saveOwnReview,
} from "~/reviews/reviews.server";
import {
  formRequest,
  getRequest,
  makeCertifiedDoctor,
  makeUser,
  profileOf,
  sessionCookieFor,
  thrownResponse,
} from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";

async function certifiedDoctor() {
  const { user, profile } = await makeCertifiedDoctor({
    clinicName: "Clinic",
    city: "Paris",
    country: "FR",
  });
  return { doctor: user, profileId: profile.id };
}

const LONG = "A careful, kind doctor who explained everything clearly.";

describe("reviews", () => {
  test("aggregates follow every change in the same transaction: write, edit, hide, restore, delete", async () => {
    const { profileId } = await certifiedDoctor();
    const a = await makeUser("patient");
    const b = await makeUser("patient");
    const admin = await makeUser("admin");
    await saveOwnReview(a, profileId, { rating: 5, body: LONG });
    await saveOwnReview(b, profileId, { rating: 3, body: LONG });
    expect(await ratingSummary(profileId)).toMatchObject({ count: 2, mean: 4 });
    await saveOwnReview(a, profileId, { rating: 4, body: LONG }); // an edit, not a second review
    expect(await ratingSummary(profileId)).toMatchObject({ count: 2, mean: 3.5 });
    const reviewOfB = (await listReviews(profileId, 1, b)).items.find((r) => r.isOwn)!;
    await moderateReview(admin, reviewOfB.id, true);
    expect(await ratingSummary(profileId)).toMatchObject({ count: 1, mean: 4 });
    expect((await listReviews(profileId, 1)).total).toBe(1);
    await moderateReview(admin, reviewOfB.id, false);
    expect((await ratingSummary(profileId)).count).toBe(2);
    await deleteOwnReview(b, reviewOfB.id);
    expect(await ratingSummary(profileId)).toMatchObject({ count: 1, mean: 4 });
    expect((await ratingSummary(profileId)).distribution.find((d) => d.stars === 4)?.count).toBe(1);
  });

  test("nobody touches another's review; only the reviewed doctor replies; pending doctors take no reviews", async () => {
    const { doctor, profileId } = await certifiedDoctor();
    const other = await certifiedDoctor();
    const author = await makeUser("patient");
    const stranger = await makeUser("patient");
    await saveOwnReview(author, profileId, { rating: 5, body: LONG });
    const review = (await listReviews(profileId, 1)).items[0]!;
    expect((await thrownResponse(() => deleteOwnReview(stranger, review.id))).status).toBe(404);
    expect(
      (await thrownResponse(() => replyToReview(other.doctor, review.id, "Thanks"))).status,
    ).toBe(404);
    await replyToReview(doctor, review.id, "Thank you for your feedback.");
    expect((await listReviews(profileId, 1)).items[0]!.doctorReply).toBe(
      "Thank you for your feedback.",
    );
    const pending = await makeUser("doctor");
    const pendingId = (await profileOf(pending.id)).id;
    expect(
      (await thrownResponse(() => saveOwnReview(author, pendingId, { rating: 5, body: LONG })))
        .status,
    ).toBe(404);
  });

  test("a report puts the review in the admin queue; moderation resolves it", async () => {
    const { profileId } = await certifiedDoctor();
    const author = await makeUser("patient");
    const reporter = await makeUser("doctor");
    const admin = await makeUser("admin");
    await saveOwnReview(author, profileId, { rating: 1, body: LONG });
    const review = (await listReviews(profileId, 1)).items[0]!;
    await reportReview(reporter, review.id, "Names a member of staff");
    expect((await moderationQueue(admin)).map((r) => [r.id, r.openReports])).toEqual([
      [review.id, 1],
    ]);
    expect((await thrownResponse(() => moderationQueue(reporter))).status).toBe(404);
    await moderateReview(admin, review.id, false);
    expect(await moderationQueue(admin)).toEqual([]);
  });

  test("the doctor page: review by form, text stays text, bad input is a 400 with the message", async () => {
    const { profileId } = await certifiedDoctor();
    const patient = await makeUser("patient");
    const cookie = await sessionCookieFor(patient.id);
    const params = { id: profileId };
    const bad = await doctorPageAction({
      request: formRequest(
        `/doctors/${profileId}`,
        { intent: "review", rating: "6", body: "short" },
        { Cookie: cookie },
      ),
      params,
      context: {},
    });
    expect((bad as { init: { status: number } }).init.status).toBe(400);
    const ok = (await doctorPageAction({
      request: formRequest(
        `/doctors/${profileId}`,
        { intent: "review", rating: "4", body: `<script>alert(1)</script> ${LONG}` },
        { Cookie: cookie },
      ),
      params,
      context: {},
    })) as Response;
    expect(ok.status).toBe(302);
    const page = await doctorPageLoader({
      request: getRequest(`/doctors/${profileId}`),
      params,
      context: {},
    });
    expect(page.reviews.items[0]!.body).toContain("<script>");
    expect(page.summary).toMatchObject({ count: 1, mean: 4 });
    const pending = await makeUser("doctor");
    const pendingId = (await profileOf(pending.id)).id;
    const hidden = await thrownResponse(
      doctorPageLoader({
        request: getRequest(`/doctors/${pendingId}`),
        params: { id: pendingId },
        context: {},
      }),
    );
    expect(hidden.status).toBe(404);
  });

  test("the public page data carries what the page shows: a reviewer's first name, no user ids", async () => {
    const { doctor, profileId } = await certifiedDoctor();
    const author = await makeUser("patient");
    await inTransaction(({ tx }) =>
      tx
        .update(users)
        .set({ displayName: "Mariana Quintero-Vasquez" })
        .where(eq(users.id, author.id)),
    );
    await saveOwnReview(author, profileId, { rating: 5, body: LONG });
    const visitor = await makeUser("patient");
    const page = await doctorPageLoader({
      request: getRequest(`/doctors/${profileId}`, {
        Cookie: await sessionCookieFor(visitor.id),
      }),
      params: { id: profileId },
      context: {},
    });
    const json = JSON.stringify(page);
    expect(page.reviews.items[0]).toMatchObject({ authorFirstName: "Mariana", isOwn: false });
    expect(json).not.toContain("Quintero");
    for (const id of [author.id, doctor.id, visitor.id]) expect(json).not.toContain(id);
    // The author sees their own review as theirs (to delete it), still without ids.
    const own = await doctorPageLoader({
      request: getRequest(`/doctors/${profileId}`, { Cookie: await sessionCookieFor(author.id) }),
      params: { id: profileId },
      context: {},
    });
    expect(own.reviews.items[0]!.isOwn).toBe(true);
    expect(own.ownReview).toEqual({ rating: 5, body: LONG, verifiedConsultation: false });
    expect(JSON.stringify(own)).not.toContain(author.id);
  });

  test("who the page offers to review and to share a case: patients, and visitors on the way to signing in", async () => {
    const { user: doctor, profile } = await makeCertifiedDoctor({
      clinicName: "Clinic",
      city: "Paris",
      country: "FR",
      offersTeleconsultation: true,
    });
    const pageFor = async (userId?: string) =>
      doctorPageLoader({
        request: getRequest(
          `/doctors/${profile.id}`,
          userId ? { Cookie: await sessionCookieFor(userId) } : {},
        ),
        params: { id: profile.id },
        context: {},
      });
    const visitor = await pageFor();
    expect(visitor).toMatchObject({ viewer: null, mayShareCase: true });
    const patient = await pageFor((await makeUser("patient")).id);
    expect(patient).toMatchObject({ viewer: { mayReview: true }, mayShareCase: true });
    // A researcher, an admin and a doctor (this one or another) neither review nor share here.
    for (const other of [
      (await makeUser("researcher")).id,
      (await makeUser("admin")).id,
      doctor.id,
      (await makeUser("doctor")).id,
    ]) {
      expect(await pageFor(other)).toMatchObject({
        viewer: { mayReview: false },
        mayShareCase: false,
        ownReview: null,
      });
    }
  });
});
