import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "#db/client";
import { notifications } from "#db/schema";
import { shareAnalysis } from "~/consultations/lifecycle.server";
import { loader as rootLoader } from "~/root";
import {
  getRequest,
  insertAnalysis,
  makeCertifiedDoctor,
  makeUser,
  sessionCookieFor,
} from "../helpers";

const unreadRows = async (userId: string) =>
  (
    await getDb()
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
  ).length;

describe("the navigation badges", () => {
  test("a GET of the root loader writes nothing, and does not count the case being opened", async () => {
    const patient = await makeUser("patient");
    const { user: doctor, profile } = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const c = await shareAnalysis(patient, (await insertAnalysis(patient.id)).id, {
      doctorProfileId: profile.id,
      message: "Please look at this smear for me.",
      consent: true,
    });
    const cookie = await sessionCookieFor(doctor.id);
    const load = (path: string) =>
      rootLoader({ request: getRequest(path, { Cookie: cookie }), params: {}, context: {} });

    expect((await load("/doctor")).unread).toEqual({ all: 1, consultations: 1 });
    expect((await load(`/doctor/cases/${c.id}`)).unread).toEqual({ all: 0, consultations: 0 });
    // The case page's own loader marks them read; the root loader only counted.
    expect(await unreadRows(doctor.id)).toBe(1);
  });
});
