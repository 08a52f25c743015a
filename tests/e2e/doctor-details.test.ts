import { eq } from "drizzle-orm";
import sharp from "sharp";
import { consultations, doctorProfiles, users } from "#db/schema";
import { refreshReplyTime } from "~/doctors/reply-time.server";
import { insertAnalysis, makeCertifiedDoctor, makeUser } from "../helpers";
import { seriousA11yViolations } from "./axe";
import { browserSessions } from "./browser";
import { inTransaction } from "~/data/unit-of-work.server";

const sessions = browserSessions();
const session = (email?: string, javaScript = true) => sessions(email, { javaScript });

// Nuuk: no demo doctor is seeded in Greenland, so the results are exactly ours.
const NUUK = { lat: 64.18347, lng: -51.72157 };
const HOUR = 3_600_000;

/** A certified doctor with a complete profile, `km` east of Nuuk. */
async function doctorNearNuuk(name: string, km: number) {
  const { user, profile } = await makeCertifiedDoctor({
    title: "Dr",
    licenceNumber: `GL-${km}`,
    licenceAuthority: "Greenland medical council",
    boardCertifications: ["Danish board of hematology"],
    specialties: ["hematology"],
    languages: ["English"],
    clinicName: `${name} clinic`,
    streetAddress: "1 Aqqusinersuaq",
    city: "Nuuk",
    country: "GL",
    lat: NUUK.lat,
    lng: NUUK.lng + km / (111.32 * Math.cos((NUUK.lat * Math.PI) / 180)),
    offersTeleconsultation: true,
  });
  await inTransaction(({ tx }) =>
    tx.update(users).set({ displayName: name }).where(eq(users.id, user.id)),
  );
  return { user, profile, name: `Dr ${name}` };
}

/** Consultations this doctor answered after the given hours, through the real computation. */
async function answered(profileId: string, hours: number[]) {
  const patient = await makeUser("patient");
  const now = Date.now();
  for (const h of hours) {
    const analysis = await insertAnalysis(patient.id);
    await inTransaction(({ tx }) =>
      tx.insert(consultations).values({
        analysisId: analysis.id,
        patientId: patient.id,
        doctorProfileId: profileId,
        status: "answered",
        message: "Please look at my smear.",
        consentAt: new Date(now - h * HOUR),
        requestedAt: new Date(now - h * HOUR),
        acceptedAt: new Date(now - 1000),
        answeredAt: new Date(now),
        doctorClass: "benign",
        recommendations: "Nothing to worry about; see your GP in a year.",
        urgency: "routine",
      }),
    );
  }
  await inTransaction(({ tx }) => refreshReplyTime(tx, profileId));
}

describe("doctor profiles patients can compare", () => {
  test("a doctor adds a photo, education and fees; a patient sorts by fastest reply and sees the details", async () => {
    const swift = await doctorNearNuuk("Swift Replier", 6);
    const slow = await doctorNearNuuk("Slow Replier", 2);
    const quiet = await doctorNearNuuk("Quiet Newcomer", 1);
    await answered(swift.profile.id, [1, 2, 3]);
    await answered(slow.profile.id, [30, 50, 70, 90]);
    await answered(quiet.profile.id, [0.5]); // one case: too few to show

    const { page: doctorPage } = await session(swift.user.email);
    await doctorPage.goto("/doctor/profile");
    // A forged file is refused with a message; a real photo is taken, and (a photo is
    // identity) the profile waits for the admin again.
    await doctorPage.getByLabel("Profile photo").setInputFiles({
      name: "me.jpg",
      mimeType: "image/jpeg",
      buffer: Buffer.from("this is not a picture"),
    });
    await doctorPage.getByRole("button", { name: "Upload photo" }).click();
    await doctorPage
      .getByText("This file is not a JPEG, PNG, WebP or TIFF image. Choose a photo.")
      .waitFor();
    const portrait = await sharp({
      create: { width: 600, height: 800, channels: 3, background: { r: 90, g: 130, b: 170 } },
    })
      .jpeg()
      .withExif({ IFD0: { Copyright: "camera owner" } })
      .toBuffer();
    await doctorPage
      .getByLabel("Profile photo")
      .setInputFiles({ name: "me.jpg", mimeType: "image/jpeg", buffer: portrait });
    await doctorPage.getByRole("button", { name: "Upload photo" }).click();
    await doctorPage.getByText(/Photo saved\. Your photo is part of your identity/).waitFor();
    await doctorPage.locator("img.doctor-avatar").waitFor();
    // The administrator approves the new photo (their page is tested elsewhere).
    await inTransaction(({ tx }) =>
      tx
        .update(doctorProfiles)
        .set({ status: "verified", verifiedAt: new Date() })
        .where(eq(doctorProfiles.id, swift.profile.id)),
    );
    await doctorPage.reload();
    await doctorPage
      .getByLabel("Education and training")
      .fill("MD, University of Copenhagen, 2003\nFellowship in hematology, Rigshospitalet, 2010");
    await doctorPage.getByLabel("In person", { exact: true }).selectOption("paid");
    await doctorPage.getByLabel("In person fee").fill("9000");
    await doctorPage.getByLabel("In person currency").fill("DKK");
    await doctorPage.getByLabel("Teleconsultation", { exact: true }).selectOption("free");
    await doctorPage.getByRole("button", { name: "Save profile" }).click();
    await doctorPage.getByText("Profile saved.").waitFor();
    // Education and fees are not what the admin verified: the profile stays listed.
    expect(await doctorPage.getByText("It is awaiting verification").count()).toBe(0);

    const { page } = await session();
    await page.goto(`/doctors?place=Nuuk%2C+GL`);
    await page.getByRole("heading", { name: /of Nuuk/ }).waitFor();
    await page.getByLabel("Order").selectOption("reply");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL(/sort=reply/);
    await page.getByRole("heading", { name: /of Nuuk/ }).waitFor();
    const listed = await page.locator(".doctor-list h3 a").allTextContents();
    expect(listed.slice(0, 3)).toEqual([swift.name, slow.name, quiet.name]);
    const card = page.locator(".doctor", { hasText: swift.name });
    await card.getByText("Usually replies within 2 hours").waitFor();
    await card.getByText("In person DKK 9,000 · Teleconsultation free").waitFor();
    await page
      .locator(".doctor", { hasText: slow.name })
      .getByText("Usually replies within 3 days")
      .waitFor();
    expect(
      await page.locator(".doctor", { hasText: quiet.name }).locator(".reply-time").count(),
    ).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);

    await card.getByRole("link", { name: swift.name }).click();
    await page.getByRole("heading", { name: "Education and training" }).waitFor();
    await page.getByText("Fellowship in hematology, Rigshospitalet, 2010").waitFor();
    await page.getByText("Fees: In person DKK 9,000 · Teleconsultation free").waitFor();
    await page.getByText("Usually replies within 2 hours").waitFor();
    // The photo as served: square, re-encoded, no metadata; doctors without one get initials.
    const photo = await page.request.get(`/doctors/${swift.profile.id}/photo`);
    expect(photo.headers()["content-type"]).toBe("image/jpeg");
    const served = await sharp(await photo.body()).metadata();
    expect(served).toMatchObject({ width: 400, height: 400 });
    expect(served.exif).toBeUndefined();
    expect(await page.locator(".doctor-heading img.doctor-avatar").count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.goto(`/doctors/${slow.profile.id}`);
    expect(await page.locator("svg.doctor-avatar text").textContent()).toBe("SR");
  });

  test("“75001” finds Paris for a French browser; without a country the finder asks", async () => {
    const { page } = await sessions(undefined, { locale: "fr-FR" });
    await page.goto("/doctors");
    // The browser's country is filled in once the page runs.
    await page.getByRole("button", { name: "Use my location" }).waitFor();
    await page.getByLabel("City or postcode").fill("75001");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("heading", { name: /of 75001 Paris, FR/ }).waitFor();
    expect(await page.getByLabel("City or postcode").inputValue()).toBe("75001");
    await page.getByRole("link", { name: "75001 Addison, United States" }).waitFor();

    // Without JavaScript (no locale read), the same search asks which 75001 is meant.
    const { page: plain } = await session(undefined, false);
    await plain.goto("/doctors?place=75001");
    await plain
      .getByRole("heading", { name: "“75001” is a postcode in several countries" })
      .waitFor();
    await plain.getByRole("link", { name: "75001 Paris, France" }).click();
    await plain.getByRole("heading", { name: /of 75001 Paris, FR/ }).waitFor();
  });
});
