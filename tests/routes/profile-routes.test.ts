import { action as profileAction } from "~/routes/doctor.profile";
import { formRequest, makeUser, sessionCookieFor } from "../helpers";

type Reply = {
  status?: string;
  error?: Record<string, string[] | null>;
  initialValue?: Record<string, unknown> | null;
};
type Outcome = { reply: Reply; located: { lat: number; lng: number } | null; saved: unknown };

async function post(fields: Record<string, string>) {
  const doctor = await makeUser("doctor");
  const request = formRequest("/doctor/profile", fields, {
    Cookie: await sessionCookieFor(doctor.id),
  });
  return profileAction({ request, params: {}, context: {} }) as Promise<unknown>;
}

const statusOf = (result: unknown) =>
  (result as { init?: { status?: number } }).init?.status ?? 200;

describe("setting the pin from the city without JavaScript", () => {
  test("a known city answers its coordinates and keeps the typed values", async () => {
    const result = await post({ intent: "locate", city: "Paris", country: "FR", bio: "typed" });
    expect(statusOf(result)).toBe(200);
    const outcome = result as Outcome;
    expect(outcome.located?.lat).toBeCloseTo(48.85, 0);
    expect(outcome.located?.lng).toBeCloseTo(2.35, 0);
    expect(outcome.reply.status).toBe("success");
    expect(outcome.reply.initialValue?.bio).toBe("typed");
  });

  test("an unknown city is a 400 with the message on the city field", async () => {
    const result = await post({ intent: "locate", city: "Nowhereville Zzq", country: "FR" });
    expect(statusOf(result)).toBe(400);
    expect((result as { data: Reply }).data.error?.city).toEqual([
      "We could not find this city. Check the spelling and the country code.",
    ]);
  });

  test("saving an incomplete profile is a 400 with field errors, and nothing is located", async () => {
    const result = await post({ intent: "save", city: "Paris" });
    expect(statusOf(result)).toBe(400);
    expect(Object.keys((result as { data: Reply }).data.error ?? {}).length).toBeGreaterThan(0);
  });
});
