import fs from "node:fs";
import { eq } from "drizzle-orm";
import { getDb, getWriter } from "#db/client";
import { consultationMessages, consultations, doctorProfiles } from "#db/schema";
import { acceptRequest, answerConsultation, shareAnalysis } from "~/consultations/lifecycle.server";
import { postMessage } from "~/consultations/messages.server";
import { findDoctors, parseFinderQuery } from "~/doctors/finder.server";
import { replyTimeLabel, replyWithin, shownReplyMs } from "~/doctors/reply-time";
import { median, refreshReplyTime } from "~/doctors/reply-time.server";
import { scanDoctors, searchDoctors } from "~/doctors/search.server";
import { sortHits } from "~/doctors/sort";
import { insertAnalysis, makeCertifiedDoctor, makeUser } from "../helpers";
import { inTransaction } from "~/data/unit-of-work.server";

const HOUR = 3_600_000;
const answer = {
  doctorClass: "pre_b" as const,
  morphology: "Medium-sized blasts with fine chromatin, scant cytoplasm.",
  recommendations: "Flow cytometry of peripheral blood, then see me in clinic.",
  urgency: "soon" as const,
};

const stats = async (profileId: string) =>
  (
    await getDb()
      .select({
        replyCount: doctorProfiles.replyCount,
        medianReplyMs: doctorProfiles.medianReplyMs,
      })
      .from(doctorProfiles)
      .where(eq(doctorProfiles.id, profileId))
      .limit(1)
  )[0]!;

/** A consultation requested `hoursAgo` hours ago, accepted, and answered now (after an optional message). */
async function answeredCase(
  doctor: Awaited<ReturnType<typeof makeCertifiedDoctor>>,
  hoursAgo: number,
  messageHoursAgo?: number,
) {
  const patient = await makeUser("patient");
  const analysis = await insertAnalysis(patient.id);
  const c = await shareAnalysis(patient, analysis.id, {
    doctorProfileId: doctor.profile.id,
    message: "Could you look at my smear, please? The result worried me.",
    consent: true,
  });
  const now = Date.now();
  await inTransaction(({ tx }) =>
    tx
      .update(consultations)
      .set({ requestedAt: new Date(now - hoursAgo * HOUR) })
      .where(eq(consultations.id, c.id)),
  );
  await acceptRequest(doctor.user, c.id);
  if (messageHoursAgo !== undefined) {
    await postMessage(doctor.user, c.id, "I have seen your case; I will answer shortly.");
    await inTransaction(({ tx }) =>
      tx
        .update(consultationMessages)
        .set({ createdAt: new Date(now - messageHoursAgo * HOUR) })
        .where(eq(consultationMessages.consultationId, c.id)),
    );
  }
  await answerConsultation(doctor.user, c.id, answer);
  return c;
}

describe("the words of a reply time", () => {
  test("median of odd and even counts; nothing shown under three answered cases", () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(4); // 3.5, rounded to the millisecond
    expect(shownReplyMs({ replyCount: 2, medianReplyMs: HOUR })).toBeNull();
    expect(shownReplyMs({ replyCount: 3, medianReplyMs: HOUR })).toBe(HOUR);
    expect(replyTimeLabel({ replyCount: 3, medianReplyMs: null })).toBeNull();
    expect(replyTimeLabel({ replyCount: 5, medianReplyMs: 90 * 60_000 })).toBe(
      "Usually replies within 2 hours",
    );
    expect(replyWithin(20 * 60_000)).toBe("an hour");
    expect(replyWithin(23.5 * HOUR)).toBe("a day");
    expect(replyWithin(30 * HOUR)).toBe("2 days");
    expect(replyWithin(20 * 24 * HOUR)).toBe("3 weeks");
  });
});

describe("the reply time follows the consultations", () => {
  test("each answer recomputes the median from request to first reply, in its transaction", async () => {
    const doctor = await makeCertifiedDoctor({ offersTeleconsultation: true });
    expect(await stats(doctor.profile.id)).toEqual({ replyCount: 0, medianReplyMs: null });
    await answeredCase(doctor, 10);
    const one = await stats(doctor.profile.id);
    expect(one.replyCount).toBe(1);
    expect(one.medianReplyMs! / HOUR).toBeCloseTo(10, 1);
    // A message before the answer is the first reply: 6 − 1 = 5 hours, not 6.
    await answeredCase(doctor, 6, 1);
    await answeredCase(doctor, 2);
    const three = await stats(doctor.profile.id);
    expect(three.replyCount).toBe(3);
    expect(three.medianReplyMs! / HOUR).toBeCloseTo(5, 1);
    expect(replyTimeLabel(three)).toBe("Usually replies within 5 hours");
  });

  test("the migration's backfill gives the same figures as the maintained ones", async () => {
    const doctor = await makeCertifiedDoctor({ offersTeleconsultation: true });
    await answeredCase(doctor, 30);
    await answeredCase(doctor, 3, 2);
    await answeredCase(doctor, 12);
    await answeredCase(doctor, 8);
    const maintained = await stats(doctor.profile.id);
    expect(maintained.replyCount).toBe(4);
    const migration = fs.readFileSync(
      "db/migrations/0015_reply_time_and_profile_details.sql",
      "utf8",
    );
    const backfill = migration.split("--> statement-breakpoint").at(-1)!;
    const sqlite = getWriter().$client;
    sqlite.prepare("UPDATE doctor_profiles SET reply_count = 0, median_reply_ms = NULL").run();
    sqlite.exec(backfill);
    expect(await stats(doctor.profile.id)).toEqual(maintained);
    await inTransaction(({ tx }) => refreshReplyTime(tx, doctor.profile.id));
    expect(await stats(doctor.profile.id)).toEqual(maintained);
  });
});

describe("fastest reply first", () => {
  test("shown reply times ascending, doctors without one last, ties by distance; same as a full scan", async () => {
    const at = (i: number) => ({ lat: -33.86 + i * 0.01, lng: 151.2 });
    const set = (profileId: string, replyCount: number, medianReplyMs: number | null) =>
      inTransaction(({ tx }) =>
        tx
          .update(doctorProfiles)
          .set({ replyCount, medianReplyMs })
          .where(eq(doctorProfiles.id, profileId)),
      );
    const slow = await makeCertifiedDoctor(at(0));
    const fast = await makeCertifiedDoctor(at(1));
    const tooFew = await makeCertifiedDoctor(at(2)); // the fastest, but only two cases
    const none = await makeCertifiedDoctor(at(3));
    const sameAsFast = await makeCertifiedDoctor(at(4));
    await set(slow.profile.id, 10, 48 * HOUR);
    await set(fast.profile.id, 3, 2 * HOUR);
    await set(tooFew.profile.id, 2, 1000);
    await set(sameAsFast.profile.id, 7, 2 * HOUR);
    const result = await findDoctors(
      parseFinderQuery(
        new URLSearchParams({ lat: "-33.86", lng: "151.2", radius: "10", sort: "reply" }),
      ),
    );
    expect(result.doctors.map((d) => d.id)).toEqual([
      fast.profile.id,
      sameAsFast.profile.id,
      slow.profile.id,
      tooFew.profile.id,
      none.profile.id,
    ]);
    const query = { lat: -33.86, lng: 151.2, radiusKm: 10, k: 20 };
    const indexed = sortHits(searchDoctors(getDb().$client, query), "reply");
    const scanned = sortHits(scanDoctors(getDb().$client, query), "reply");
    expect(indexed).toEqual(scanned);
    expect(indexed.map((d) => d.id)).toEqual(result.doctors.map((d) => d.id));
  });
});
