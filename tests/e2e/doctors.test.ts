import { eq } from "drizzle-orm";
import { getDb } from "#db/client";
import { doctorProfiles, users } from "#db/schema";
import { insertAnalysis } from "../helpers";
import { seriousA11yViolations } from "./axe";
import { browserSessions, userIdByEmail } from "./browser";
import { inTransaction } from "~/data/unit-of-work.server";

const session = browserSessions();

// Reykjavík: no demo doctor is seeded this far north, so the results are exactly ours.
const HOME = { latitude: 64.1466, longitude: -21.9426 };
let counter = 0;

/** A certified doctor `km` east of HOME, inserted directly. */
async function certifiedDoctorAt(
  km: number,
  name: string,
  extra: Partial<typeof doctorProfiles.$inferInsert> = {},
) {
  counter++;
  const user = (
    await inTransaction(({ tx }) =>
      tx
        .insert(users)
        .values({
          email: `finder-${counter}-${Date.now()}@example.test`,
          passwordHash: "x",
          role: "doctor",
          displayName: name,
        })
        .returning(),
    )
  )[0];
  const lng = HOME.longitude + km / (111.32 * Math.cos((HOME.latitude * Math.PI) / 180));
  return (
    await inTransaction(({ tx }) =>
      tx
        .insert(doctorProfiles)
        .values({
          userId: user.id,
          status: "verified",
          specialties: ["hematology"],
          languages: ["English"],
          clinicName: `${name} clinic`,
          city: "Reykjavík",
          country: "IS",
          lat: HOME.latitude,
          lng,
          offersTeleconsultation: true,
          ...extra,
        })
        .returning(),
    )
  )[0];
}

describe("finding a hematologist", () => {
  test("with geolocation, the nearest certified doctors are listed in order with markers; by city too", async () => {
    const names = ["Dr Near One", "Dr Near Two", "Dr Near Three", "Dr Near Four", "Dr Near Five"];
    for (const [i, name] of names.entries()) await certifiedDoctorAt(1 + i * 2, name);
    await certifiedDoctorAt(3, "Dr Not Yet Verified", { status: "pending" });

    const { page } = await session(undefined, { geolocation: HOME });
    await page.goto("/doctors");
    await page.getByRole("button", { name: "Use my location" }).click();
    await page.waitForURL(/lat=64\.1466/);
    await page.getByRole("heading", { name: /certified hematologists within/ }).waitFor();
    const listed = await page.locator(".doctor-list h3 a").allTextContents();
    expect(listed.slice(0, 5)).toEqual(names);
    expect(listed).not.toContain("Dr Not Yet Verified");
    await page.locator(".leaflet-container").waitFor();
    await page.locator(".leaflet-marker-icon, .marker-cluster").first().waitFor();
    // Tiles cannot load here: the packaged country outlines are drawn instead of a grey box.
    // (fetched as JSON beside the map chunk, so wait for them to be drawn)
    await page.locator(".leaflet-overlay-pane path").nth(10).waitFor({ state: "attached" });
    await page
      .getByText("Street map unavailable: showing country outlines and large cities only.")
      .waitFor();
    // The tile layer and its attribution are gone; the packaged data is credited instead.
    await page.locator(".leaflet-control-attribution", { hasText: "Natural Earth" }).waitFor();
    expect(await page.locator(".leaflet-tile-pane img").count()).toBe(0);
    await page.locator(".leaflet-control-scale").waitFor();

    const denied = await session();
    await denied.page.goto("/doctors");
    await denied.page.getByRole("button", { name: "Use my location" }).click();
    await denied.page
      .getByText("Location was not shared: type a city or postcode instead.")
      .waitFor();
    await denied.page.getByLabel("City or postcode").fill("Reykjavik, IS");
    await denied.page.getByRole("button", { name: "Search", exact: true }).click();
    await denied.page.waitForURL(/place=/);
    await denied.page.getByRole("heading", { name: /of Reykjav/ }).waitFor();
    // Measured from the city centre now: the same doctors, nearest first.
    const byCity = (await denied.page.locator(".doctor-list h3 a").allTextContents()).slice(0, 5);
    expect([...byCity].sort()).toEqual([...names].sort());
    const distances = (await denied.page.locator(".doctor-list .distance").allTextContents()).map(
      parseFloat,
    );
    expect(distances).toEqual([...distances].sort((a, b) => a - b));

    // A postcode is resolved offline too.
    await denied.page.getByLabel("City or postcode").fill("10001");
    await denied.page.getByRole("button", { name: "Search", exact: true }).click();
    await denied.page.getByRole("heading", { name: /of 10001 New York, US/ }).waitFor();

    // "Near me" asks for the location at once; the place box then shows no stale city, and
    // each active filter is a chip that removes it.
    await page.goto("/doctors?place=Reykjavik%2C+IS&teleconsultation=on");
    await page.getByRole("heading", { name: /of Reykjav/ }).waitFor();
    await page.goto("/doctors?near=1&teleconsultation=on");
    await page.waitForURL(/lat=64\.1466/);
    await page.getByRole("heading", { name: /of your location/ }).waitFor();
    expect(await page.getByLabel("City or postcode").inputValue()).toBe("");
    await page.getByRole("link", { name: "Remove filter: Teleconsultation" }).click();
    await page.waitForURL((url) => !url.search.includes("teleconsultation"));
    // The new URL can come a render before the page without the chip.
    await expect.poll(() => page.getByRole("link", { name: /Remove filter/ }).count()).toBe(0);
  });

  test("a clinic name written as HTML shows as text in the map tooltip and restyles nothing", async () => {
    const markup = `<style>body{display:none}</style><img src=x alt=injected>Clinique <b>Bold</b>`;
    const doctor = await certifiedDoctorAt(30, "Dr Markup Test", { clinicName: markup });
    const { page } = await session();
    await page.goto(`/doctors/${doctor.id}`);
    const marker = page.locator(".leaflet-marker-icon").first();
    await marker.waitFor();
    await marker.hover();
    const tooltip = page.locator(".leaflet-tooltip");
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toBe(markup);
    expect(await tooltip.locator("style, img, b").count()).toBe(0);
    expect(await page.evaluate(() => getComputedStyle(document.body).display)).not.toBe("none");
  });

  test("bad parameters get a clear 400; another patient's analysis is a 404", async () => {
    const { page } = await session("patient@demo.hemalink.test");
    expect((await page.goto("/doctors?lat=200&lng=0"))!.status()).toBe(400);
    expect((await page.goto("/doctors?lat=1&lng=1&radius=7"))!.status()).toBe(400);
    await page.getByText("Radius must be 10, 25, 50, 100 or 250 km.").waitFor();
    const other = await insertAnalysis(await userIdByEmail("reviewer1@demo.hemalink.test"));
    expect((await page.goto(`/doctors?analysis=${other.id}&place=Paris`))!.status()).toBe(404);
  });

  test("a doctor fills the profile and moves the pin; listed only after the admin approves", async () => {
    const email = `new-doctor-${Date.now()}@example.test`;
    const db = getDb();
    const user = (
      await inTransaction(({ tx }) =>
        tx
          .insert(users)
          .values({ email, passwordHash: "x", role: "doctor", displayName: "Dr Pin Mover" })
          .returning(),
      )
    )[0];
    await inTransaction(({ tx }) => tx.insert(doctorProfiles).values({ userId: user.id }));

    const { page } = await session(email);
    await page.goto("/doctor/profile");
    await page.getByLabel("Licence number").fill("IS-555");
    await page.getByLabel("Issuing authority").fill("Directorate of Health");
    await page.getByLabel("Board certifications").fill("Icelandic board of hematology");
    await page.getByLabel("Hematology-oncology", { exact: true }).check();
    await page.getByLabel("English", { exact: true }).check();
    await page.getByLabel("Clinic name").fill("Harbour Clinic");
    await page.getByLabel("Street address").fill("1 Harbour Road");
    await page.getByLabel("City", { exact: true }).fill("Reykjavik");
    await page.getByLabel("Country code").fill("IS");
    await page.getByRole("button", { name: "Set the pin from the city" }).click();
    await page.getByText(/Pin at 64\.1/).waitFor();
    // Move the pin by clicking the map.
    const map = page.locator(".leaflet-container");
    await map.waitFor();
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2 + 40, box.y + box.height / 2);
    await page.getByText(/Pin at 64\.1\d+, -21\.8/).waitFor();
    await page.getByLabel("I offer teleconsultation").check();
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByText("Profile saved.").waitFor();
    const profile = (
      await db.select().from(doctorProfiles).where(eq(doctorProfiles.userId, user.id)).limit(1)
    )[0]!;
    expect(profile).toMatchObject({ status: "pending", licenceNumber: "IS-555", country: "IS" });
    expect(profile.lng!).toBeGreaterThan(-21.9);

    const visitor = await session();
    expect((await visitor.page.goto(`/doctors/${profile.id}`))!.status()).toBe(404);
    await visitor.page.goto(`/doctors?lat=${HOME.latitude}&lng=${HOME.longitude}&radius=50`);
    expect(await visitor.page.getByText("Dr Pin Mover").count()).toBe(0);

    const admin = await session("admin@demo.hemalink.test");
    await admin.page.goto("/admin/doctors");
    // The queue of pending profiles is the default list; the search finds this one.
    await admin.page.getByLabel("Search").fill("Pin Mover");
    await admin.page.getByRole("button", { name: "Show" }).click();
    await admin.page.waitForURL(/q=Pin\+Mover/);
    await admin.page.getByRole("button", { name: "Approve Dr Pin Mover" }).click();
    await admin.page
      .getByRole("status")
      .getByText("Dr Pin Mover is approved: the profile is certified and listed.")
      .waitFor();

    await visitor.page.reload();
    await visitor.page.getByRole("link", { name: "Dr Pin Mover" }).waitFor();
    expect((await visitor.page.goto(`/doctors/${profile.id}`))!.status()).toBe(200);
  });

  test("review, reply, report, hide: the aggregates follow; no one edits another's review", async () => {
    const profile = await certifiedDoctorAt(40, "Dr Reviewed");
    const doctorEmail = (
      await db()
        .select({ email: users.email })
        .from(users)
        .where(eq(users.id, profile.userId))
        .limit(1)
    )[0]!.email;

    const patient = await session("patient@demo.hemalink.test");
    await patient.page.goto(`/doctors/${profile.id}`);
    await patient.page.getByLabel("4 stars").check();
    await patient.page
      .getByLabel("Your review")
      .fill("<b>Kind</b> and clear explanations, highly recommended.");
    await patient.page.getByRole("button", { name: "Post my review" }).click();
    await patient.page.getByText("4.0 out of 5 from 1 review").waitFor();
    // Text is text: the tags show in the posted review, nothing is rendered as HTML (the form
    // beside it keeps the text for editing).
    await patient.page
      .getByRole("paragraph")
      .filter({ hasText: "<b>Kind</b> and clear explanations" })
      .waitFor();
    expect(await patient.page.locator(".review-body b").count()).toBe(0);

    const doctor = await session(doctorEmail);
    await doctor.page.goto(`/doctors/${profile.id}`);
    await doctor.page.getByText("Reply publicly").click();
    await doctor.page.getByLabel("Your reply").fill("Thank you for your kind words.");
    await doctor.page.getByRole("button", { name: "Publish reply" }).click();
    await doctor.page.locator(".reply").getByText("Thank you for your kind words.").waitFor();
    const reviewId = await doctor.page
      .locator("input[name=reviewId]")
      .first()
      .getAttribute("value");
    // Neither the doctor nor another patient can delete (or edit) this review: 404.
    for (const other of [doctor, await session("reviewer2@demo.hemalink.test")]) {
      const forged = await other.page.request.post(`/doctors/${profile.id}`, {
        form: { intent: "delete-review", reviewId: reviewId! },
        headers: { Origin: new URL(doctor.page.url()).origin },
      });
      expect(forged.status()).toBe(404);
    }

    const reporter = await session("reviewer1@demo.hemalink.test");
    await reporter.page.goto(`/doctors/${profile.id}`);
    await reporter.page.getByText("Report this review").click();
    await reporter.page.getByLabel("Reason").fill("Contains advertising");
    await reporter.page.getByRole("button", { name: "Send report" }).click();
    await reporter.page.getByText("an administrator will look at this review").waitFor();

    expect((await doctor.page.goto("/admin/reviews"))!.status()).toBe(404);
    expect((await doctor.page.goto("/admin/doctors"))!.status()).toBe(404);
    const admin = await session("admin@demo.hemalink.test");
    await admin.page.goto("/admin/reviews?show=reported");
    await admin.page.getByText("Contains advertising").waitFor();
    await admin.page.getByRole("button", { name: "Hide this review" }).click();
    await admin.page.getByText("The review is hidden; its reports are closed.").waitFor();

    await patient.page.reload();
    await patient.page.getByText("No reviews yet.").waitFor();
  });

  test("the finder works at phone size with no serious accessibility violations", async () => {
    await certifiedDoctorAt(5, "Dr Phone Size");
    const s = await session("patient@demo.hemalink.test");
    await s.page.setViewportSize({ width: 375, height: 740 });
    await s.page.goto(`/doctors?lat=${HOME.latitude}&lng=${HOME.longitude}`);
    await s.page.locator(".leaflet-container").waitFor();
    expect(await seriousA11yViolations(s.page)).toEqual([]);
    const width = await s.page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
  });
});

const db = () => getDb();
