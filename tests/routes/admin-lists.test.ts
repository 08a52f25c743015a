import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import type { doctorProfiles } from "#db/schema";
import { reviews, users } from "#db/schema";
import { loader as doctorsLoader } from "~/routes/admin.doctors";
import { action as reviewsAction, loader as reviewsLoader } from "~/routes/admin.reviews";
import { reportReview, saveOwnReview } from "~/reviews/reviews.server";
import {
  getArgs,
  makeCertifiedDoctor,
  makeUser,
  postArgs,
  type TestUser,
  thrownResponse,
} from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";

const get = (user: TestUser, path: string) => getArgs(user, path);

/** A doctor with a unique name and the given profile fields. */
async function doctorNamed(name: string, set: Partial<typeof doctorProfiles.$inferInsert>) {
  const { user, profile } = await makeCertifiedDoctor(set);
  await inTransaction(({ tx }) =>
    tx.update(users).set({ displayName: name }).where(eq(users.id, user.id)),
  );
  return { user, profile };
}

describe("/admin/doctors", () => {
  test("searches name, e-mail, licence and city, filters by status and pages by 20", async () => {
    const admin = await makeUser("admin");
    const tag = `Zq${Date.now()}`;
    const verified = await doctorNamed(`${tag} Amira`, { licenceNumber: "LIC-77%", city: "Lyon" });
    const suspended = await doctorNamed(`Other ${tag}`, {
      status: "suspended",
      suspensionReason: "Complaint",
      city: `${tag}ville`,
    });
    const names = async (query: string) =>
      (await doctorsLoader(await get(admin, `/admin/doctors?${query}`))).doctors.map(
        (d) => d.profileId,
      );
    expect(await names(`q=${tag}&status=all`)).toEqual(
      expect.arrayContaining([verified.profile.id, suspended.profile.id]),
    );
    expect(await names(`q=${tag}&status=verified`)).toEqual([verified.profile.id]);
    expect(await names(`q=${tag}&status=suspended`)).toEqual([suspended.profile.id]);
    expect(await names(`q=${tag}ville&status=all`)).toEqual([suspended.profile.id]);
    expect(await names(`q=${encodeURIComponent(verified.user.email)}&status=all`)).toEqual([
      verified.profile.id,
    ]);
    // The licence, with "%" taken literally rather than as a wildcard.
    expect(await names(`q=${encodeURIComponent("LIC-77%")}&status=all`)).toEqual([
      verified.profile.id,
    ]);
    expect(await names(`q=${encodeURIComponent("LIC-7%7")}&status=all`)).toEqual([]);

    for (let i = 0; i < 21; i += 1) await doctorNamed(`${tag} Page ${i}`, { status: "rejected" });
    const first = await doctorsLoader(await get(admin, `/admin/doctors?q=${tag}&status=rejected`));
    expect(first).toMatchObject({ total: 21, page: 1, pages: 2 });
    expect(first.doctors).toHaveLength(20);
    const second = await doctorsLoader(
      await get(admin, `/admin/doctors?q=${tag}&status=rejected&page=2`),
    );
    expect(second.doctors).toHaveLength(1);
    expect(first.doctors.map((d) => d.profileId)).not.toContain(second.doctors[0]!.profileId);
    // A page past the end shows the last one; nonsense parameters fall back to the defaults.
    const past = await doctorsLoader(
      await get(admin, `/admin/doctors?q=${tag}&status=rejected&page=99`),
    );
    expect(past.page).toBe(2);
    const odd = await doctorsLoader(await get(admin, `/admin/doctors?status=nope&page=-3`));
    expect(odd.query).toMatchObject({ status: "pending", page: 1 });
  });

  test("a doctor or a patient gets 404", async () => {
    for (const role of ["doctor", "patient"] as const) {
      const user = await makeUser(role);
      expect((await thrownResponse(doctorsLoader(await get(user, "/admin/doctors")))).status).toBe(
        404,
      );
    }
  });
});

describe("/admin/reviews", () => {
  test("lists every review, with reported, hidden, rating and doctor filters; hiding confirms", async () => {
    const admin = await makeUser("admin");
    const tag = `Rv${Date.now()}`;
    const { profile } = await doctorNamed(`${tag} Doctor`, {});
    const authors = [await makeUser("patient"), await makeUser("patient")];
    await saveOwnReview(authors[0]!, profile.id, {
      rating: 5,
      body: "Kind and clear explanations, thank you.",
    });
    const kind = (
      await getDb().select().from(reviews).where(eq(reviews.authorId, authors[0]!.id)).limit(1)
    )[0]!;
    await saveOwnReview(authors[1]!, profile.id, {
      rating: 2,
      body: "Waited three weeks for an answer.",
    });
    await reportReview(admin, kind.id, "Looks like advertising");
    const ids = async (query: string) =>
      (await reviewsLoader(await get(admin, `/admin/reviews?doctor=${tag}&${query}`))).reviews.map(
        (r) => [r.rating, r.status, r.openReports],
      );
    expect(await ids("")).toEqual([
      [5, "visible", 1],
      [2, "visible", 0],
    ]);
    expect(await ids("show=reported")).toEqual([[5, "visible", 1]]);
    expect(await ids("rating=2")).toEqual([[2, "visible", 0]]);
    expect(await ids("show=hidden")).toEqual([]);

    const result = await reviewsAction(
      await postArgs(admin, "/admin/reviews", {}, { reviewId: kind.id, decision: "hide" }),
    );
    expect(result).toEqual({ confirmation: "The review is hidden; its reports are closed." });
    expect(await ids("show=hidden")).toEqual([[5, "hidden", 0]]);
  });
});
