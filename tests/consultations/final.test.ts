import { finalClassesFor } from "~/consultations/final.server";
import { acceptRequest, answerConsultation, shareAnalysis } from "~/consultations/lifecycle.server";
import { getOwnReview, saveOwnReview } from "~/reviews/reviews.server";
import { insertAnalysis, makeCertifiedDoctor, makeUser } from "../helpers";
import { shareInput } from "./fixtures";

const share = (doctorProfileId: string) =>
  shareInput(doctorProfileId, "Could you look at this smear, please?");

describe("final answers for a list of analyses", () => {
  test("only answered analyses have one, the latest answer wins, with the doctor's name", async () => {
    const patient = await makeUser("patient");
    const answered = await insertAnalysis(patient.id);
    const pending = await insertAnalysis(patient.id);
    const unshared = await insertAnalysis(patient.id);
    const first = await makeCertifiedDoctor({ offersTeleconsultation: true });
    const second = await makeCertifiedDoctor({ offersTeleconsultation: true });

    const early = await shareAnalysis(patient, answered.id, share(first.profile.id));
    await acceptRequest(first.user, early.id);
    await answerConsultation(first.user, early.id, {
      doctorClass: "benign",
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: "Nothing to worry about.",
      urgency: "routine",
    });
    const later = await shareAnalysis(patient, answered.id, share(second.profile.id));
    await acceptRequest(second.user, later.id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await answerConsultation(second.user, later.id, {
      doctorClass: "early_pre_b",
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: "Flow cytometry, then see me in clinic.",
      urgency: "soon",
    });
    await shareAnalysis(patient, pending.id, share(first.profile.id));

    const finals = await finalClassesFor([answered.id, pending.id, unshared.id]);
    expect([...finals.keys()]).toEqual([answered.id]);
    expect(finals.get(answered.id)).toEqual({
      doctorClass: "early_pre_b",
      doctorName: expect.stringContaining(second.user.displayName),
    });
    expect((await finalClassesFor([])).size).toBe(0);
  });
});

describe("a review written before the consultation", () => {
  test("gains the verified-consultation badge when the doctor answers, without a re-save", async () => {
    const patient = await makeUser("patient");
    const analysis = await insertAnalysis(patient.id);
    const doctor = await makeCertifiedDoctor({ offersTeleconsultation: true });
    await saveOwnReview(patient, doctor.profile.id, {
      rating: 4,
      body: "Kind on the phone before I even shared a case with her.",
    });
    expect((await getOwnReview(patient, doctor.profile.id))?.verifiedConsultation).toBe(false);
    const c = await shareAnalysis(patient, analysis.id, share(doctor.profile.id));
    await acceptRequest(doctor.user, c.id);
    expect((await getOwnReview(patient, doctor.profile.id))?.verifiedConsultation).toBe(false);
    await answerConsultation(doctor.user, c.id, {
      doctorClass: "benign",
      morphology: "Blasts with a high nuclear-to-cytoplasmic ratio and fine chromatin.",
      recommendations: "Nothing to worry about.",
      urgency: "routine",
    });
    expect((await getOwnReview(patient, doctor.profile.id))?.verifiedConsultation).toBe(true);
  });
});
